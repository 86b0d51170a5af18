"""The chat kernel: engine, turns, flows, steps, messages and buttons, under every feature."""
