"""The pull-request bot: who may change what, what it publishes, its cross-file index."""
