"""colbot: the chat-bot front door of a City of Learning."""

__version__ = "0.1.0"
