"""Settings read from the environment into a frozen dataclass; nothing is built at import time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

DEFAULT_DATABASE_URL = "sqlite:///./centavo.db"
DEFAULT_PUBLIC_BASE_URL = "http://localhost:8080"
DEFAULT_API_KEY_SECRET = "centavo-embedded-api-key-secret"


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a deployer configures. Names match the environment variables in the README."""

    database_url: str = DEFAULT_DATABASE_URL
    """DATABASE_URL: where the application connects (on PostgreSQL, as the role without BYPASSRLS)."""
    migration_database_url: str = DEFAULT_DATABASE_URL
    """MIGRATION_DATABASE_URL: the owner's connection for `centavo migrate`; defaults to DATABASE_URL."""
    redis_url: str | None = None
    """REDIS_URL: unset means an in-process fakeredis (the embedded default)."""
    public_base_url: str = DEFAULT_PUBLIC_BASE_URL
    """PUBLIC_BASE_URL: the URL providers call, used to check webhook signatures behind proxies."""
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_api_base_url: str | None = None
    meta_app_secret: str | None = None
    meta_verify_token: str | None = None
    meta_access_token: str | None = None
    meta_graph_base_url: str | None = None
    twilio_alert_content_sids: str | None = None
    """TWILIO_ALERT_CONTENT_SIDS: "en=HX...,es=HX...,pt=HX...", approved WhatsApp templates for alerts
    outside the 24-hour window (one body variable: the alert text)."""
    meta_alert_template: str | None = None
    """META_ALERT_TEMPLATE: the approved template's name, in each user locale's language (pt_BR, es_MX...)."""
    log_level: str = "INFO"
    log_format: str | None = None
    """LOG_FORMAT: "json" (one object a line) or "text"; unset, json for serve and worker, text otherwise."""
    platform_key: str | None = None
    """CENTAVO_PLATFORM_KEY: the platform operator's key for /api/v1/tenants (create, list, route numbers);
    unset, those endpoints refuse every request."""
    api_key_secret: str = DEFAULT_API_KEY_SECRET
    """CENTAVO_API_KEY_SECRET: the HMAC key API keys are hashed under. Changing it invalidates every key;
    set a random one in production (the default suits only the embedded mode)."""
    api_rate_burst: int = 60
    """CENTAVO_API_RATE_BURST: requests one API key may make at once..."""
    api_rate_per_second: float = 10.0
    """CENTAVO_API_RATE_PER_SECOND: ...and then per second (429 with Retry-After beyond)."""

    webhook_deadline_s: float = 2.0
    """CENTAVO_WEBHOOK_DEADLINE_S: a webhook not done by then (a store down or hung) answers 503."""
    webhook_process_limit: int = 16
    """CENTAVO_WEBHOOK_PROCESS_LIMIT: messages one process answers at once; past it they are stored for the
    worker, which answers them through the provider's API (bot/admission.py)."""
    webhook_hold_limit: int = 256
    """CENTAVO_WEBHOOK_HOLD_LIMIT: webhook requests in flight in one process before new ones get 503."""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ

        def get(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        database_url = get("DATABASE_URL") or DEFAULT_DATABASE_URL
        return cls(
            database_url=database_url,
            migration_database_url=get("MIGRATION_DATABASE_URL") or database_url,
            redis_url=get("REDIS_URL"),
            public_base_url=(get("PUBLIC_BASE_URL") or DEFAULT_PUBLIC_BASE_URL).rstrip("/"),
            twilio_account_sid=get("TWILIO_ACCOUNT_SID"),
            twilio_auth_token=get("TWILIO_AUTH_TOKEN"),
            twilio_api_base_url=get("TWILIO_API_BASE_URL"),
            meta_app_secret=get("META_APP_SECRET"),
            meta_verify_token=get("META_VERIFY_TOKEN"),
            meta_access_token=get("META_ACCESS_TOKEN"),
            meta_graph_base_url=get("META_GRAPH_BASE_URL"),
            twilio_alert_content_sids=get("TWILIO_ALERT_CONTENT_SIDS"),
            meta_alert_template=get("META_ALERT_TEMPLATE"),
            log_level=(get("LOG_LEVEL") or "INFO").upper(),
            log_format=(get("LOG_FORMAT") or "").lower() or None,
            platform_key=get("CENTAVO_PLATFORM_KEY"),
            api_key_secret=get("CENTAVO_API_KEY_SECRET") or DEFAULT_API_KEY_SECRET,
            api_rate_burst=int(get("CENTAVO_API_RATE_BURST") or 60),
            api_rate_per_second=float(get("CENTAVO_API_RATE_PER_SECOND") or 10.0),
            webhook_deadline_s=float(get("CENTAVO_WEBHOOK_DEADLINE_S") or 2.0),
            webhook_process_limit=int(get("CENTAVO_WEBHOOK_PROCESS_LIMIT") or 16),
            webhook_hold_limit=int(get("CENTAVO_WEBHOOK_HOLD_LIMIT") or 256),
        )
