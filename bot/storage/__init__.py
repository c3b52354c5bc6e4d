"""Storage: the only layer that knows SQL."""
