"""The upgrade plan: what a change needs to reach the running VMs, and the commands that do it."""
