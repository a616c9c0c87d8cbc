"""Names two layers must agree on, and physical names that must follow their systems' rules (pure)."""
