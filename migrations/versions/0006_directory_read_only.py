"""On PostgreSQL, the directory (tenants, channel_endpoints, api_keys) becomes read-only to the app role;
its writes go through narrow SECURITY DEFINER functions.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 00:00:00

The directory has no RLS (a webhook or an API key is routed to its tenant through it), so until now any
code path, or an SQL injection, running as the app role could reroute a tenant's number or mint a key.
Now the app role may only SELECT from those tables; each write the application makes is one function,
owned by the role that runs this migration (the tables' owner), with fixed-shape arguments and one
INSERT or UPDATE inside. Each returns the rows it wrote (0 or 1), like the statement it replaces.
SQLite has no roles: nothing changes there (the repositories keep writing directly).
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

DIRECTORY_TABLES = ("tenants", "channel_endpoints", "api_keys")

# name -> (arguments, body). Frozen here: adapters/db names the same functions and argument names.
# ON CONFLICT DO NOTHING keeps the repositories' insert-or-skip behaviour (a conflict is reported as 0 rows
# written and leaves the transaction usable).
FUNCTIONS: dict[str, tuple[str, str]] = {
    "centavo_add_tenant": (
        "p_id uuid, p_slug text, p_name text, p_language text, p_locale text, p_currency text, "
        "p_timezone text, p_policy text, p_settings jsonb, p_created_at timestamptz",
        "INSERT INTO public.tenants "
        "(id, slug, name, language, locale, currency, timezone, policy, settings, created_at) "
        "VALUES (p_id, p_slug, p_name, p_language, p_locale, p_currency, p_timezone, p_policy, p_settings, "
        "p_created_at) ON CONFLICT DO NOTHING",
    ),
    "centavo_update_tenant": (
        "p_id uuid, p_name text, p_language text, p_locale text, p_currency text, p_timezone text, "
        "p_policy text, p_settings jsonb",
        "UPDATE public.tenants SET name = p_name, language = p_language, locale = p_locale, "
        "currency = p_currency, timezone = p_timezone, policy = p_policy, settings = p_settings "
        "WHERE id = p_id",
    ),
    "centavo_add_channel_endpoint": (
        "p_id uuid, p_tenant_id uuid, p_provider text, p_address text, p_created_at timestamptz",
        "INSERT INTO public.channel_endpoints (id, tenant_id, provider, address, created_at) "
        "VALUES (p_id, p_tenant_id, p_provider, p_address, p_created_at) ON CONFLICT DO NOTHING",
    ),
    "centavo_add_api_key": (
        "p_id uuid, p_tenant_id uuid, p_name text, p_prefix text, p_key_hash text, p_role text, "
        "p_created_at timestamptz, p_revoked_at timestamptz",
        "INSERT INTO public.api_keys (id, tenant_id, name, prefix, key_hash, role, created_at, revoked_at) "
        "VALUES (p_id, p_tenant_id, p_name, p_prefix, p_key_hash, p_role, p_created_at, p_revoked_at) "
        "ON CONFLICT DO NOTHING",
    ),
    "centavo_revoke_api_key": (
        "p_tenant_id uuid, p_id uuid, p_revoked_at timestamptz",
        "UPDATE public.api_keys SET revoked_at = p_revoked_at "
        "WHERE tenant_id = p_tenant_id AND id = p_id AND revoked_at IS NULL",
    ),
}


def app_role() -> str:
    """The login role the application uses (created by 0001); a bare identifier: it is spliced into DDL."""
    role = os.environ.get("CENTAVO_APP_ROLE", "centavo_app")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        raise ValueError(f"CENTAVO_APP_ROLE must be a lower-case SQL identifier, not {role!r}")
    return role


def _signature(name: str) -> str:
    """name(types): what GRANT, REVOKE and DROP need to name one function."""
    arguments = FUNCTIONS[name][0]
    return f"{name}({', '.join(argument.split()[1] for argument in arguments.split(', '))})"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    role = app_role()
    for name, (arguments, body) in FUNCTIONS.items():
        # SECURITY DEFINER runs as this function's owner (the migrating role, owner of the tables). The
        # pinned search_path (pg_temp last) stops a caller's objects from standing in for ours.
        op.execute(
            f"""
            CREATE FUNCTION {name}({arguments}) RETURNS integer
            LANGUAGE sql VOLATILE SECURITY DEFINER
            SET search_path = pg_catalog, public, pg_temp
            AS $body$ WITH written AS ({body} RETURNING 1) SELECT count(*)::integer FROM written $body$
            """
        )
        # Functions are executable by PUBLIC by default: only the app role may call these.
        op.execute(f"REVOKE ALL ON FUNCTION {_signature(name)} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {_signature(name)} TO {role}")
    op.execute(f"REVOKE ALL ON {', '.join(DIRECTORY_TABLES)} FROM {role}")
    op.execute(f"GRANT SELECT ON {', '.join(DIRECTORY_TABLES)} TO {role}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    role = app_role()
    op.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(DIRECTORY_TABLES)} TO {role}")
    for name in FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {_signature(name)}")
