"""The typed stack config: model, tier defaults, rules and the loader (pure: no Pulumi)."""
