"""Use cases the engine and the web call; each owns one domain noun."""
