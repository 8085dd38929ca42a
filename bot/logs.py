"""Logging: one JSON object a line (or plain text), phone numbers redacted, database values kept out."""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO
from urllib.parse import parse_qsl, urlencode

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web import BaseRequest, Request, StreamResponse

from domain.errors import ValidationError

LOG_FORMATS = ("json", "text")

_STANDARD = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
"""LogRecord's own attributes: everything else on a record came from `extra=`."""

_PHONE = re.compile(r"(?<![\w.:/-])(\+?)(\d{8,15})(?![\w.-])|(?<=whatsapp:)(\+?)(\d{8,15})(?!\w)")
"""An E.164-looking run of 8 to 15 digits, bare or after "whatsapp:", not part of a UUID, id or decimal."""

SECRET_QUERY_KEYS = frozenset({"hub.verify_token", "access_token", "token", "key", "api_key"})
"""Query parameters whose values never reach a log line (Meta's verify token arrives as one)."""

REDACTED = "[redacted]"


def redact_phones(text: str) -> str:
    """Masks phone numbers, "+5511987654321" to "+55119****4321": tells numbers apart, cannot call one."""

    def mask(match: re.Match[str]) -> str:
        plus = match.group(1) if match.group(2) is not None else match.group(3)
        digits = match.group(2) if match.group(2) is not None else match.group(4)
        keep = max(0, min(5, len(digits) - 8))
        return f"{plus}{digits[:keep]}****{digits[-4:]}"

    return _PHONE.sub(mask, text)


_CAUSE = "The above exception was the direct cause of the following exception:"
_CONTEXT = "During handling of the above exception, another exception occurred:"


def format_exception_safely(exc: BaseException) -> str:
    """A traceback like Python's, but each exception's text is what the code said, not the data: asyncpg
    appends "DETAIL: Failing row contains (+5511..., <message text>)" and "Key (sender)=(+5511...)" to
    its errors, which hide_parameters does not cover, so those details are left out."""
    chain: list[tuple[BaseException, str]] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    link = ""
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append((current, link))
        if current.__cause__ is not None:
            current, link = current.__cause__, _CAUSE
        elif current.__context__ is not None and not current.__suppress_context__:
            current, link = current.__context__, _CONTEXT
        else:
            current = None
    parts: list[str] = []
    for position, (error, _) in enumerate(reversed(chain)):
        if position:
            parts.append("\n" + chain[len(chain) - position][1] + "\n\n")
        if error.__traceback__ is not None:
            parts.append("Traceback (most recent call last):\n")
            parts.extend(traceback.format_tb(error.__traceback__))
        kind = type(error)
        name = (
            kind.__qualname__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__qualname__}"
        )
        message = _safe_message(error)
        parts.append(f"{name}: {message}\n" if message else f"{name}\n")
    return redact_phones("".join(parts).rstrip("\n"))


_ARGUMENT = re.compile(r"(invalid input for query argument \$\d+): .*", re.DOTALL)
_PARAMETERS = re.compile(r"\[parameters: .*?\]\n?", re.DOTALL)


def _safe_message(error: BaseException) -> str:
    if getattr(error, "detail", None) is not None and error.args and isinstance(error.args[0], str):
        message = error.args[0]  # asyncpg: the primary message, without DETAIL and HINT
    else:
        try:
            message = str(error)
        except Exception:
            message = "<unprintable>"
    # asyncpg's client-side check quotes the offending value; a statement's parameters are data too.
    return _PARAMETERS.sub("", _ARGUMENT.sub(r"\1: " + REDACTED, message))


def _exc_text(record: logging.LogRecord) -> str | None:
    if record.exc_info and record.exc_info[1] is not None:
        return format_exception_safely(record.exc_info[1])
    return None


def _extras(record: logging.LogRecord) -> dict[str, Any]:
    """The record's `extra` fields, strings with phone numbers masked. Masked here, not by a filter
    rewriting the record, so other handlers on the same logger see the record as it was logged."""
    return {
        name: redact_phones(value) if isinstance(value, str) else value
        for name, value in record.__dict__.items()
        if name not in _STANDARD
    }


class JsonFormatter(logging.Formatter):
    """One JSON object a line: ts, level, logger, message, the record's `extra` fields, exc."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_phones(record.getMessage()),
        }
        for name, value in _extras(record).items():
            line.setdefault(name, value)
        exc = _exc_text(record)
        if exc is not None:
            line["exc"] = exc
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """For a terminal: "time LEVEL logger: message key=value ...", with the same safe tracebacks."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text
        record.exc_info, record.exc_text = None, None
        try:
            line = super().format(record)
        finally:
            record.exc_info, record.exc_text = saved
        extras = " ".join(f"{name}={value}" for name, value in _extras(record).items())
        exc = _exc_text(record)
        return line + (f" {extras}" if extras else "") + (f"\n{exc}" if exc else "")

    def formatMessage(self, record: logging.LogRecord) -> str:
        return redact_phones(super().formatMessage(record))

    def formatException(self, ei: Any) -> str:
        return format_exception_safely(ei[1]) if ei and ei[1] is not None else ""


def handler(log_format: str, stream: TextIO | None = None) -> logging.Handler:
    """A stream handler (stderr by default) with the JSON or the text formatter; both mask phone numbers."""
    if log_format not in LOG_FORMATS:
        raise ValidationError("LOG_FORMAT", f"must be one of {', '.join(LOG_FORMATS)} (got {log_format!r})")
    out = logging.StreamHandler(stream if stream is not None else sys.stderr)
    out.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    return out


def configure(level: str, log_format: str, stream: TextIO | None = None) -> None:
    """Replace the root logger's handlers with ours (what logging.basicConfig did before)."""
    ours = handler(log_format, stream)
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(ours)
    root.setLevel(level)
    # Twilio's SDK logs every API call as ten INFO lines of URL and headers: noise, and query strings
    # may carry numbers. Its warnings and errors still come through.
    logging.getLogger("twilio").setLevel(max(logging.WARNING, root.level))


def redact_query(pairs: Iterable[tuple[str, str]]) -> str:
    """The query string with secret values replaced (hub.challenge and the like stay readable)."""
    return urlencode(
        [(key, REDACTED if key.lower() in SECRET_QUERY_KEYS else value) for key, value in pairs], safe="[]"
    )


class AccessLogger(AbstractAccessLogger):
    """aiohttp's access log as structured fields: method, path, query without secrets, status, size and
    latency. aiohttp's default line records the raw query string, Meta's verify token with it."""

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        # A web.Request once routed; the BaseRequest of a request refused before routing has no route.
        resource = request.match_info.route.resource if isinstance(request, Request) else None
        fields: dict[str, Any] = {
            "method": request.method,
            "path": request.path,
            "route": resource.canonical if resource is not None else None,
            "status": response.status,
            "size": response.body_length,  # bytes sent, headers included (aiohttp's %b)
            "ms": round(time * 1000, 1),
        }
        if request.query_string:
            fields["query"] = redact_query(parse_qsl(request.query_string, keep_blank_values=True))
        self.logger.info("%s %s %s", request.method, request.path, response.status, extra=fields)

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)
