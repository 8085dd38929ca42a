"""`centavo nlu` as a function: one JSON request line in, one JSON result line out, errors as lines too."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from nlu import WEEK_STARTS, TenantMerchant, parse
from nlu.types import CATEGORIES, LANGUAGES

MAX_MERCHANTS = 5000
MAX_ALIASES = 50
MAX_NAME = 200

_FIELDS = {"text", "now", "lang", "currency", "tz", "merchants", "week_start"}


class RequestError(ValueError):
    """A request line that does not follow the contract."""


def handle_request(request: Any) -> dict[str, object]:
    """The result for one decoded request object; raises RequestError naming what is wrong."""
    if not isinstance(request, dict):
        raise RequestError("a request must be a JSON object")
    text = request.get("text")
    if not isinstance(text, str):
        raise RequestError("text: a string is required")
    now = None
    if request.get("now") is not None:
        raw = request["now"]
        if not isinstance(raw, str):
            raise RequestError("now: an ISO-8601 datetime string is required")
        try:
            now = datetime.fromisoformat(raw)
        except ValueError:
            raise RequestError(f"now: not an ISO-8601 datetime: {raw!r}") from None
    lang = request.get("lang")
    if lang is not None and lang not in LANGUAGES:
        raise RequestError("lang: must be one of en, es, pt")
    currency = request.get("currency")
    if currency is not None and not (isinstance(currency, str) and len(currency) == 3 and currency.isalpha()):
        raise RequestError("currency: an ISO 4217 code is required")
    tz = request.get("tz")
    if tz is not None and not isinstance(tz, str):
        raise RequestError("tz: an IANA zone name is required")
    week_start = request.get("week_start")
    if week_start is not None and week_start not in WEEK_STARTS:
        raise RequestError("week_start: must be one of " + ", ".join(WEEK_STARTS))
    country = request.get("country")
    if country is not None and not (isinstance(country, str) and len(country) == 2 and country.isalpha()):
        raise RequestError("country: an ISO 3166 alpha-2 code is required")
    merchants = _merchants(request.get("merchants"))
    try:
        result = parse(
            text,
            now=now,
            lang=lang,
            currency=currency,
            tz=tz,
            merchants=merchants,
            week_start=week_start,
            country=country,
        )
    except ValueError as exc:  # an unknown zone
        raise RequestError(f"tz: {exc}") from None
    return result.to_json()


def _merchants(raw: Any) -> tuple[TenantMerchant, ...]:
    """The request's `merchants`: [{"name": str, "aliases": [str], "category": key or null}]."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_MERCHANTS:
        raise RequestError(f"merchants: a list of at most {MAX_MERCHANTS} objects is required")
    found = []
    for i, item in enumerate(raw):
        where = f"merchants[{i}]"
        if not isinstance(item, dict) or set(item) - {"name", "aliases", "category"}:
            raise RequestError(f"{where}: an object with name, aliases and category is required")
        name, aliases, category = item.get("name"), item.get("aliases") or [], item.get("category")
        if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
            raise RequestError(f"{where}.name: a non-empty string of at most {MAX_NAME} characters")
        if not isinstance(aliases, list) or len(aliases) > MAX_ALIASES:
            raise RequestError(f"{where}.aliases: a list of at most {MAX_ALIASES} strings is required")
        if not all(isinstance(a, str) and len(a) <= MAX_NAME for a in aliases):
            raise RequestError(f"{where}.aliases: strings of at most {MAX_NAME} characters")
        if category is not None and category not in CATEGORIES:
            raise RequestError(f"{where}.category: one of the categories or null")
        found.append(TenantMerchant(name.strip(), tuple(aliases), category))
    return tuple(found)


def handle_line(line: bytes | str) -> str:
    """One request line -> one result line (without the newline). Never raises."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        result: dict[str, object] = handle_request(json.loads(text))
    except UnicodeDecodeError:
        result = {"error": "the line is not valid UTF-8"}
    except json.JSONDecodeError as exc:
        result = {"error": f"malformed JSON: {exc.msg} at column {exc.colno}"}
    except RequestError as exc:
        result = {"error": str(exc)}
    except RecursionError:
        result = {"error": "the request is nested too deeply"}
    # Lone surrogates (valid in JSON escapes, invalid in UTF-8) are replaced so the output is always UTF-8.
    return json.dumps(result, ensure_ascii=False).encode("utf-8", "replace").decode("utf-8")


def run(lines: Iterable[bytes]) -> Iterator[str]:
    """Results for request lines in order; blank lines are skipped."""
    for line in lines:
        if line.strip():
            yield handle_line(line)
