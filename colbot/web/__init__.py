"""The aiohttp web server: health, the Telegram webhook, and the public pages."""
