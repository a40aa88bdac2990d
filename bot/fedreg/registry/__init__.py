"""The registry: where files live, their format, the policy, YAML loading, the one reader."""
