"""What the user passes, turned into pairs of canonical models: files, shapes, edits, git, what-if."""
