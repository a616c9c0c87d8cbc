"""The sections of a stack's config, one module per concern; ``model.StackConfig`` holds them."""
