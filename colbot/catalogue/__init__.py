"""The catalogue: partners and opportunities from the city's files, feeds and the demo."""
