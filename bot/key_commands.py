"""`centavo key create|list|revoke`, and the first admin key `centavo tenant create` prints."""

from __future__ import annotations

import argparse
import uuid
from typing import TYPE_CHECKING, Any

from domain.access import ApiKey, IssuedKey, OperatorAudit, Role, create_key
from domain.errors import NotFound
from domain.model import Tenant

if TYPE_CHECKING:
    from bot.keys import Parts


def add_parser(commands: Any) -> None:
    """The `key` command and its actions, on the CLI's subparsers."""
    key = commands.add_parser("key", help="manage a tenant's admin API keys").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = key.add_parser("create", help="make an API key (printed once: store it)")
    create.add_argument("--tenant", required=True, help="tenant slug")
    create.add_argument("--name", required=True, help="what the key is for, e.g. 'support team'")
    create.add_argument("--role", choices=["admin", "viewer"], default="viewer", help="default: viewer")
    listing = key.add_parser("list", help="list a tenant's keys (prefixes, roles, revoked or not)")
    listing.add_argument("--tenant", required=True, help="tenant slug")
    revoke = key.add_parser("revoke", help="revoke a key at once")
    revoke.add_argument("--tenant", required=True, help="tenant slug")
    revoke.add_argument("key", help="the key's id or its prefix (cvk_...)")


async def _audit(parts: Parts, tenant: Tenant, action: str, key: ApiKey) -> None:
    """Key changes made here appear in the tenant's audit trail too, as done by "cli"."""
    public: dict[str, object] = {
        "id": str(key.id),
        "name": key.name,
        "prefix": key.prefix,
        "role": str(key.role),
    }
    record = OperatorAudit(
        id=uuid.uuid4(),
        tenant_id=tenant.id,
        actor="cli",
        action=action,
        entity="key",
        entity_id=str(key.id),
        before=None if action == "create" else public,
        after=public if action == "create" else {**public, "revoked": True},
        at=parts.clock.now(),
    )
    async with parts.db.audited_unit_of_work(tenant.id) as uow:
        await uow.finish([record])


async def first_admin_key(parts: Parts, tenant: Tenant) -> IssuedKey:
    async with parts.db.directory() as directory:
        issued = await create_key(
            tenant.id, "first admin key", Role.ADMIN, parts.settings.api_key_secret, directory, parts.clock
        )
    await _audit(parts, tenant, "create", issued.record)
    return issued


def print_issued(issued: IssuedKey) -> None:
    record = issued.record
    print(f"{record.role} API key {record.prefix} ({record.id}):")
    print(issued.plaintext)
    print("# shown once: store it now (only a keyed hash of it is kept)")


async def run(parts: Parts, args: argparse.Namespace, tenant: Tenant) -> None:
    if args.action == "create":
        async with parts.db.directory() as directory:
            issued = await create_key(
                tenant.id, args.name, args.role, parts.settings.api_key_secret, directory, parts.clock
            )
        await _audit(parts, tenant, "create", issued.record)
        print_issued(issued)
        return
    async with parts.db.directory() as directory:
        keys = await directory.keys.list_for(tenant.id)
        if args.action == "list":
            print("id\tprefix\trole\tname\tcreated\trevoked")
            for k in keys:
                revoked = k.revoked_at.isoformat() if k.revoked_at else "-"
                created = k.created_at.isoformat() if k.created_at else "-"
                print(f"{k.id}\t{k.prefix}\t{k.role}\t{k.name}\t{created}\t{revoked}")
            return
        match = [k for k in keys if str(k.id) == args.key or k.prefix == args.key]
        if not match or not await directory.keys.revoke(tenant.id, match[0].id, parts.clock.now()):
            raise NotFound("live key", args.key)
        await directory.commit()
    await _audit(parts, tenant, "revoke", match[0])
    print(f"revoked {match[0].prefix} ({match[0].id})")


__all__ = ["add_parser", "first_admin_key", "print_issued", "run"]
