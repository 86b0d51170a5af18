"""Badges: issued on redemption, signed in every form, published, verified and revoked."""
