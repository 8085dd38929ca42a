"""A tenant's API keys: list, create (the key is shown once) and revoke. Admin keys only, also for reading."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.auth import authorize
from bot.admin.problems import not_found
from bot.admin.schemas import SAFE_TEXT, ListQuery, Out, Strict
from domain.access import ApiKey, IssuedKey, create_key

api = Resource("keys")


class KeyIn(Strict):
    name: str = Field(min_length=1, max_length=100, pattern=SAFE_TEXT)
    """At most 100 characters, like the column (domain.access refuses longer)."""
    role: Literal["admin", "viewer"] = "viewer"


class KeyOut(Out):
    id: uuid.UUID
    name: str
    prefix: str
    role: str
    created_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            role=str(key.role),
            created_at=key.created_at,
            revoked_at=key.revoked_at,
        )


class IssuedKeyOut(KeyOut):
    key: str
    """The key itself: shown once, never again (only its keyed hash is stored)."""

    @classmethod
    def of(cls, issued: IssuedKey) -> IssuedKeyOut:  # type: ignore[override]
        return cls(**KeyOut.of(issued.record).model_dump(), key=issued.plaintext)

    def public(self) -> KeyOut:
        """Without the secret (what the audit trail keeps)."""
        return KeyOut(**self.model_dump(exclude={"key"}))


def _admins_only(call: Call) -> None:
    # Listing keys reveals who can write: an admin's business, not a viewer's.
    authorize(call.principal, platform_only=False, write=True)


@api.listing("/keys", item=KeyOut, query=ListQuery, summary="This tenant's API keys (admin keys only)")
async def list_keys(call: Call) -> Listed:
    _admins_only(call)
    async with call.db.directory() as directory:
        keys = await directory.keys.list_for(call.tenant_id)
    ordered = sorted(keys, key=lambda k: str(k.id))
    after = str(call.after[0]) if call.after else ""
    rest = [k for k in ordered if str(k.id) > after]
    page = rest[: call.limit]
    return Listed([KeyOut.of(k) for k in page], [str(page[-1].id)] if len(rest) > call.limit else None)


@api.post("/keys", body=KeyIn, response=IssuedKeyOut, summary="Create an API key (shown once)")
async def create_api_key(call: Call) -> IssuedKeyOut:
    body: KeyIn = call.body
    async with call.db.directory() as directory:
        issued = await create_key(
            call.tenant_id, body.name, body.role, call.settings.api_key_secret, directory, call.clock
        )
    out = IssuedKeyOut.of(issued)
    async with call.writing():
        call.audit("create", "key", issued.record.id, None, out.public())
    return out


@api.delete("/keys/{key_id}", response=KeyOut, summary="Revoke an API key")
async def revoke_key(call: Call) -> KeyOut:
    key_id = call.id("key_id")
    async with call.db.directory() as directory:
        before = await directory.keys.get(call.tenant_id, key_id)
        if before is None or not await directory.keys.revoke(call.tenant_id, key_id, call.clock.now()):
            raise not_found("key")
        await directory.commit()
        after = await directory.keys.get(call.tenant_id, key_id)
    assert after is not None
    async with call.writing():
        call.audit("revoke", "key", key_id, KeyOut.of(before), out := KeyOut.of(after))
    return out
