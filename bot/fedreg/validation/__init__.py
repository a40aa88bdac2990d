"""Validation: the rules catalogue, shape and per-file checks, the engine, reporters."""
