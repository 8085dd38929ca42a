"""Opaque listing cursors: the last row's sort key, bound to the listing and filters it was made for."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from typing import Any

from bot.admin.problems import field_problem


def _scope(operation_id: str, filters: dict[str, Any]) -> str:
    """A short fingerprint of the listing and its filters: a cursor replayed with other filters is refused
    instead of silently skipping or repeating rows."""
    blob = json.dumps([operation_id, filters], sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def encode(key: list[Any], operation_id: str, filters: dict[str, Any]) -> str:
    payload = json.dumps({"k": key, "s": _scope(operation_id, filters)}, separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode(cursor: str, operation_id: str, filters: dict[str, Any]) -> list[Any]:
    """The sort key a cursor carries, or 422 naming `cursor` when it is not one of ours for this listing."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        key, scope = payload["k"], payload["s"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise field_problem(422, "query.cursor", "not a cursor this API made") from None
    if not isinstance(key, list) or scope != _scope(operation_id, filters):
        raise field_problem(422, "query.cursor", "this cursor belongs to another listing or other filters")
    return key
