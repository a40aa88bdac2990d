"""Writing registry files: skeletons, published schemas, import, round-trip YAML."""
