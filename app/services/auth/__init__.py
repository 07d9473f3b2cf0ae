"""Authentication: sign-in (with its throttle), access tokens, users and integration API keys.
Passwords are hashed off the event loop (``passwords.py``)."""
