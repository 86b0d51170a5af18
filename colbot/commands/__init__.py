"""Subcommands of the `colbot` command line, one module per thing they manage."""
