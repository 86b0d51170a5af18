"""Adapters that carry the neutral conversation over one platform each."""
