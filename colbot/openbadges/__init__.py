"""Open Badges 2.0 and 3.0: keys, documents, signatures, baking and verification, all pure."""
