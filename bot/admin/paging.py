"""Opaque listing cursors: the last row's sort key, bound to the listing and filters it was made for and
signed, so a handler can trust the key's shape."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from collections.abc import Sequence
from typing import Any

from bot.admin.problems import field_problem


def _scope(operation_id: str, filters: dict[str, Any], key: Sequence[Any] = (), secret: str = "") -> str:
    """A keyed fingerprint of the sort key, the listing and its filters. A cursor replayed with other filters
    is refused instead of silently skipping or repeating rows; a hand-made one (any key, e.g. "x" where a
    listing expects a UUID) is refused before a handler reads it, instead of failing there as a 500."""
    blob = json.dumps(["cursor", list(key), operation_id, filters], sort_keys=True, default=str)
    return hmac.new(secret.encode(), blob.encode(), hashlib.sha256).hexdigest()[:24]


def encode(key: list[Any], operation_id: str, filters: dict[str, Any], secret: str = "") -> str:
    # The key as it will read back (JSON), so that is what the signature covers.
    plain = json.loads(json.dumps(key, default=str))
    payload = {"k": plain, "s": _scope(operation_id, filters, plain, secret)}
    text = json.dumps(payload, separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode(cursor: str, operation_id: str, filters: dict[str, Any], secret: str = "") -> list[Any]:
    """The sort key a cursor carries, or 422 naming `cursor` when it is not one of ours for this listing."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        payload = json.loads(raw)
        key, scope = payload["k"], payload["s"]
    except (binascii.Error, ValueError, TypeError, KeyError, UnicodeDecodeError, RecursionError):
        raise field_problem(422, "query.cursor", "not a cursor this API made") from None
    if not isinstance(key, list) or not isinstance(scope, str):
        raise field_problem(422, "query.cursor", "not a cursor this API made")
    expected = _scope(operation_id, filters, key, secret)
    if not hmac.compare_digest(scope.encode(), expected.encode()):  # bytes: str must be ASCII to compare
        raise field_problem(422, "query.cursor", "this cursor belongs to another listing or other filters")
    return key
