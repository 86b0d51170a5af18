"""The chat kernel: turns, flows, steps, messages and buttons; it knows no feature."""
