"""Web chat tests: the WebSocket protocol and the page in a real browser."""
