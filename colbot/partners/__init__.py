"""Partners and their staff: invites, roles, opportunities and figures in the chat."""
