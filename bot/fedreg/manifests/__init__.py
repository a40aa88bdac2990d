"""Deployment manifests: built from the registry, verified before they are deployed."""
