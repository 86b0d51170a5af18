"""The city team: admins on any channel, invited with a one-time link."""
