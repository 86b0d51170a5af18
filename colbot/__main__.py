"""Lets `python -m colbot` work like the `colbot` command."""

from colbot.cli import main

raise SystemExit(main())
