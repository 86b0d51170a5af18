"""Exploring: recommendations ranked for one young person, and the cards that show them."""
