"""Change plans: what a registry change does, the diff between revisions, its renderings."""
