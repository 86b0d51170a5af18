"""The web chat: its channel, its page and socket, and moving it to another device."""
