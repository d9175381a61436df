"""Project configuration: the file, where it is found, and the options it yields."""
