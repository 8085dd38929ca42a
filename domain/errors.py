"""Errors the domain raises; each names what was wrong so callers can answer clearly."""

from __future__ import annotations


class DomainError(Exception):
    """Base class for every error the domain raises on purpose."""


class ValidationError(DomainError, ValueError):
    """Input that breaks a rule; `field` names the offending part (for API problems and chat replies).

    `reason` is a stable code for the rule that was broken ("not_positive", "too_precise", "future"...), so
    callers can answer in the user's language without parsing the English message."""

    def __init__(self, field: str, message: str, *, reason: str = "invalid") -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.reason = reason


class CurrencyMismatch(DomainError, ValueError):
    """Arithmetic or comparison between two different currencies."""


class NotFound(DomainError, LookupError):
    """The thing asked for does not exist in this tenant."""

    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} not found: {key}")
        self.what = what
        self.key = key


class Conflict(DomainError):
    """The request clashes with what is stored (a duplicate slug or phone, for example)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
