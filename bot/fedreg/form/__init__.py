"""The modification form: its semantics, proposals as pull requests, the HTTP server."""
