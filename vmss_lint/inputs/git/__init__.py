"""Git mode: the revisions of a repository as inputs."""
