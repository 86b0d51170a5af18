"""Learning journeys: the secret link a young person shares, and the pages it opens."""
