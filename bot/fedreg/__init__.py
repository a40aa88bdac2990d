"""fedreg: the GitOps configuration registry of the ProConnect identity federation."""

__version__ = "0.3.0"
