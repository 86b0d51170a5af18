"""What colbot says first: reminders, kind nudges, weekly digests and broadcasts."""
