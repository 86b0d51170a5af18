"""Completion codes: their format, redeeming them, and the QR cards for the venue wall."""
