"""The dashboard: one-time sign-in, figures with small counts hidden, charts and CSVs."""
