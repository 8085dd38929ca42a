"""The user's country (ISO 3166 alpha-2) for calendars: from the request, else the zone, else the currency."""

from __future__ import annotations

from functools import cache
from importlib import resources

# A currency used in one country names it; shared ones (EUR, USD, XOF) name none by themselves.
_CURRENCY_COUNTRY = {
    "BRL": "BR", "MXN": "MX", "ARS": "AR", "COP": "CO", "CLP": "CL", "PEN": "PE", "UYU": "UY", "PYG": "PY",
    "BOB": "BO", "VES": "VE", "GTQ": "GT", "HNL": "HN", "NIO": "NI", "CRC": "CR", "DOP": "DO", "CUP": "CU",
    "PAB": "PA", "CAD": "CA", "GBP": "GB", "AUD": "AU", "NZD": "NZ", "INR": "IN", "AOA": "AO", "MZN": "MZ",
    "CVE": "CV",
}  # fmt: skip


def country_of(country: str | None, tz: str | None, currency: str | None) -> str | None:
    """`country` when given (upper-cased), else the country of the IANA zone ("America/Sao_Paulo" -> BR),
    else of a currency used in one country (BRL -> BR), else None."""
    if country:
        return country.upper()
    if tz and tz in _zone_countries():
        return _zone_countries()[tz]
    return _CURRENCY_COUNTRY.get((currency or "").upper())


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone -> country from tzdata's zone.tab (shipped with the tzdata package: no download)."""
    text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    zones: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                zones[parts[2]] = parts[0]
    return zones
