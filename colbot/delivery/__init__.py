"""Delivery: the outbox and its drainer, send pacing, Web Push, and update ids."""
