"""One module per command family, each function returning the exit code."""
