"""Deploying manifests: the deploy plan, fedreg's state, MongoDB, secrets, redaction."""
