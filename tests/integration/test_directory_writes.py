"""The directory (tenants, channel_endpoints, api_keys) is read-only to the app role on PostgreSQL: its writes
go through SECURITY DEFINER functions (migration 0006), and the repositories still write on both dialects."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest

from adapters.db import ChannelEndpoint, Database, downgrade, upgrade
from domain.access import ApiKey, Role
from domain.errors import Conflict, NotFound
from domain.model import Language, Tenant

pytestmark = pytest.mark.integration

FUNCTIONS = {
    "centavo_add_tenant",
    "centavo_update_tenant",
    "centavo_add_channel_endpoint",
    "centavo_add_api_key",
    "centavo_revoke_api_key",
}
DEFINERS = FUNCTIONS | {"centavo_member_households"}
"""Every SECURITY DEFINER function: the directory writes, and the member households the privacy policies of
migration 0013 read (a definer, so household_members' own policy can use it without recursing)."""
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def new_tenant(slug: str | None = None, settings: dict[str, object] | None = None) -> Tenant:
    return Tenant(
        id=uuid.uuid4(),
        slug=slug or f"dir-{uuid.uuid4().hex[:10]}",
        name="Padaria",
        language=Language("pt"),
        locale="pt_BR",
        currency="BRL",
        timezone="America/Sao_Paulo",
        settings=settings or {},
    )


def new_key(tenant_id: uuid.UUID) -> ApiKey:
    prefix = f"cvk_{uuid.uuid4().hex[:8]}"
    return ApiKey(
        id=uuid.uuid4(),
        tenant_id=tenant_id,
        name="ops",
        prefix=prefix,
        key_hash=uuid.uuid4().hex * 2,
        role=Role.ADMIN,
        created_at=NOW,
    )


@pytest.fixture
async def app_conn(pg_database) -> AsyncIterator[asyncpg.Connection]:
    conn = await asyncpg.connect(pg_database.app_url)
    try:
        yield conn
    finally:
        await conn.close()


async def test_repositories_write_the_directory_on_both_dialects(database: Database) -> None:
    tenant = new_tenant(settings={"alert_thresholds": [50, 90]})
    async with database.directory() as directory:
        await directory.tenants.add(tenant)
        with pytest.raises(Conflict):
            await directory.tenants.add(new_tenant(slug=tenant.slug))
        tenant.name, tenant.locale, tenant.settings = "Padaria do Zé", "pt_PT", {"alert_thresholds": [80]}
        await directory.tenants.update(tenant)
        with pytest.raises(NotFound):
            await directory.tenants.update(new_tenant())
        endpoint = ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", f"+1555{uuid.uuid4().int % 10**7:07d}")
        await directory.endpoints.add(endpoint)
        with pytest.raises(Conflict):
            await directory.endpoints.add(
                ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", endpoint.address)
            )
        key = new_key(tenant.id)
        await directory.keys.add(key)
        with pytest.raises(Conflict):
            await directory.keys.add(_same_prefix(key))
        assert await directory.keys.revoke(tenant.id, key.id, NOW)
        assert not await directory.keys.revoke(tenant.id, key.id, NOW), "revoked once"
        assert not await directory.keys.revoke(uuid.uuid4(), key.id, NOW), "another tenant's key"
        await directory.commit()
    async with database.directory() as directory:
        stored = await directory.tenants.get(tenant.id)
        assert stored is not None
        assert (stored.slug, stored.name, stored.locale, stored.currency, stored.timezone) == (
            tenant.slug,
            "Padaria do Zé",
            "pt_PT",
            "BRL",
            "America/Sao_Paulo",
        )
        assert stored.settings == {"alert_thresholds": [80]}
        assert await directory.endpoints.find("twilio", endpoint.address) == tenant.id
        revoked = await directory.keys.get(tenant.id, key.id)
        assert revoked is not None and revoked.revoked_at == NOW and revoked.prefix == key.prefix


def _same_prefix(key: ApiKey) -> ApiKey:
    other = new_key(key.tenant_id)
    other.prefix = key.prefix
    return other


@pytest.mark.parametrize(
    "statement",
    [
        "INSERT INTO tenants (id, slug, name, language, locale, currency, timezone, policy, settings) "
        "VALUES (gen_random_uuid(), 'intruder', 'x', 'en', 'en_US', 'USD', 'UTC', 'open', '{}')",
        "UPDATE tenants SET name = 'rerouted'",
        "DELETE FROM tenants",
        "INSERT INTO channel_endpoints (id, tenant_id, provider, address) "
        "SELECT gen_random_uuid(), id, 'twilio', '+15550000000' FROM tenants LIMIT 1",
        "UPDATE channel_endpoints SET tenant_id = tenant_id",
        "DELETE FROM channel_endpoints",
        "INSERT INTO api_keys (id, tenant_id, name, prefix, key_hash, role) "
        "SELECT gen_random_uuid(), id, 'minted', 'cvk_minted', repeat('0', 64), 'admin' FROM tenants LIMIT 1",
        "UPDATE api_keys SET revoked_at = NULL",
        "DELETE FROM api_keys",
        "TRUNCATE tenants, channel_endpoints, api_keys CASCADE",
    ],
)
async def test_the_app_role_cannot_write_the_directory_directly(
    app_conn: asyncpg.Connection, statement: str
) -> None:
    with pytest.raises(asyncpg.InsufficientPrivilegeError, match="permission denied"):
        await app_conn.execute(statement)


async def test_the_app_role_reads_the_directory_and_writes_through_the_functions(
    app_conn: asyncpg.Connection,
) -> None:
    tenant, endpoint, key = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    slug = f"fn-{tenant.hex[:10]}"
    add_tenant = (
        "SELECT centavo_add_tenant(p_id => $1, p_slug => $2, p_name => 'Fn', p_language => 'en', "
        "p_locale => 'en_US', p_currency => 'USD', p_timezone => 'UTC', p_policy => 'open', "
        "p_settings => '{}', p_created_at => now())"
    )
    assert await app_conn.fetchval(add_tenant, tenant, slug) == 1
    assert await app_conn.fetchval(add_tenant, uuid.uuid4(), slug) == 0, "a taken slug writes nothing"
    assert (
        await app_conn.fetchval(
            "SELECT centavo_add_channel_endpoint(p_id => $1, p_tenant_id => $2, p_provider => 'meta', "
            "p_address => $3, p_created_at => now())",
            endpoint,
            tenant,
            str(endpoint.int % 10**12),
        )
        == 1
    )
    assert (
        await app_conn.fetchval(
            "SELECT centavo_add_api_key(p_id => $1, p_tenant_id => $2, p_name => 'k', p_prefix => $3, "
            "p_key_hash => $4, p_role => 'viewer', p_created_at => now(), p_revoked_at => NULL)",
            key,
            tenant,
            f"cvk_{key.hex[:8]}",
            key.hex * 2,
        )
        == 1
    )
    revoke = "SELECT centavo_revoke_api_key(p_tenant_id => $1, p_id => $2, p_revoked_at => now())"
    assert await app_conn.fetchval(revoke, uuid.uuid4(), key) == 0, "another tenant's key stays"
    assert await app_conn.fetchval(revoke, tenant, key) == 1
    assert (
        await app_conn.fetchval(
            "SELECT centavo_update_tenant(p_id => $1, p_name => 'Renamed', p_language => 'es', "
            "p_locale => 'es_MX', p_currency => 'MXN', p_timezone => 'America/Mexico_City', "
            "p_policy => 'closed', p_settings => '{\"a\": 1}')",
            tenant,
        )
        == 1
    )
    row = await app_conn.fetchrow(
        "SELECT name, currency, policy, settings FROM tenants WHERE id = $1", tenant
    )
    assert tuple(row) == ("Renamed", "MXN", "closed", '{"a": 1}')
    with pytest.raises(asyncpg.CheckViolationError):
        await app_conn.fetchval(
            "SELECT centavo_add_channel_endpoint(p_id => $1, p_tenant_id => $2, p_provider => 'smoke', "
            "p_address => '1', p_created_at => now())",
            uuid.uuid4(),
            tenant,
        )


async def test_the_functions_are_pinned_definers_only_the_app_role_may_call(pg_database) -> None:
    conn = await asyncpg.connect(pg_database.owner_url)
    try:
        rows = await conn.fetch(
            "SELECT proname, prosecdef, proconfig, pg_get_userbyid(proowner) AS owner FROM pg_proc "
            "WHERE proname LIKE 'centavo\\_%'"
        )
        callers = await conn.fetch(
            "SELECT p.proname, a.grantee, a.privilege_type FROM pg_proc p, aclexplode(p.proacl) a "
            "WHERE p.proname LIKE 'centavo\\_%' AND a.grantee <> p.proowner"
        )
        app_oid = await conn.fetchval("SELECT oid FROM pg_roles WHERE rolname = $1", pg_database.app_role)
    finally:
        await conn.close()
    assert {row["proname"] for row in rows} == DEFINERS
    for row in rows:
        assert row["prosecdef"], row["proname"]
        assert row["proconfig"] == ["search_path=pg_catalog, public, pg_temp"], row["proname"]
        assert row["owner"] == "postgres", "owned by the role that ran the migration"
    # No PUBLIC (grantee 0): only the app role, and only EXECUTE.
    assert {(row["proname"], row["grantee"], row["privilege_type"]) for row in callers} == {
        (name, app_oid, "EXECUTE") for name in DEFINERS
    }


def _privileges(url: str, role: str) -> dict[str, set[str]]:
    async def read() -> dict[str, set[str]]:
        conn = await asyncpg.connect(url)
        try:
            rows = await conn.fetch(
                "SELECT table_name, privilege_type FROM information_schema.role_table_grants "
                "WHERE grantee = $1 AND table_name IN ('tenants', 'channel_endpoints', 'api_keys')",
                role,
            )
            functions = await conn.fetchval("SELECT count(*) FROM pg_proc WHERE proname LIKE 'centavo\\_%'")
        finally:
            await conn.close()
        found: dict[str, set[str]] = {"functions": {str(functions)}}
        for row in rows:
            found.setdefault(row["table_name"], set()).add(row["privilege_type"])
        return found

    return asyncio.run(read())


def test_downgrade_gives_the_writes_back_and_upgrade_takes_them_again(pg_blank_database) -> None:
    url, role = pg_blank_database.owner_url, pg_blank_database.app_role
    # Six functions at head: the five directory writes of 0006 and the member households of 0013.
    read_only = {"functions": {"6"}, **{t: {"SELECT"} for t in ("tenants", "channel_endpoints", "api_keys")}}
    writable = {"SELECT", "INSERT", "UPDATE", "DELETE"}
    upgrade(url)
    assert _privileges(url, role) == read_only
    downgrade(url, "0005")
    assert _privileges(url, role) == {
        "functions": {"0"},
        **{t: writable for t in ("tenants", "channel_endpoints", "api_keys")},
    }
    upgrade(url)
    assert _privileges(url, role) == read_only
