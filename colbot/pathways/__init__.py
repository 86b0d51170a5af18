"""Pathways: steps of learning that lead somewhere, ending in a city badge."""
