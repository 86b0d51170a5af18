"""Young people: onboarding, settings, pausing, and their data (a copy and erasure)."""
