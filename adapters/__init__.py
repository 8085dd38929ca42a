"""Adapters: the outside world (database, cache, channels, clock) behind the domain's ports."""
