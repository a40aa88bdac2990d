"""Thin wrappers over side effects: git, the GitHub API, atomic file writes."""
