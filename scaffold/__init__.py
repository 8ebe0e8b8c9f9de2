"""scaffold: the Docker setup an expert would write, from a handful of questions."""
