"""The command line: one module per command family (each function returns the exit code),
and the help texts, French argparse and progress line they share."""
