"""Adapter unit tests that need no server."""
