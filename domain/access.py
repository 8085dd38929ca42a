"""Operator access: API keys (random, shown once, stored as a keyed hash), roles, the operators' audit."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from domain.model import StrEnum

if TYPE_CHECKING:
    from domain.ports import Clock, DirectoryUnitOfWork

KEY_MARK = "cvk"
"""Every key starts with this, so a leaked one is recognisable (secret scanners, logs)."""
PREFIX_LENGTH = 8
SECRET_BYTES = 32
"""256 bits of randomness: far beyond guessing, so a fast keyed hash is enough (no password hash needed)."""


class Role(StrEnum):
    """What a key may do: an admin reads and writes, a viewer only reads."""

    ADMIN = "admin"
    VIEWER = "viewer"


@dataclass(slots=True)
class ApiKey:
    """A tenant's API key as stored: never the key itself, only its visible prefix and keyed hash."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    name: str
    prefix: str
    """Shown in listings and logs to tell keys apart ("cvk_ab12cd34_...")."""
    key_hash: str
    role: Role
    created_at: datetime | None = None
    revoked_at: datetime | None = None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True, slots=True)
class IssuedKey:
    """A key just made: the record to store and the plaintext, which is shown once and never kept."""

    record: ApiKey
    plaintext: str


def hash_key(plaintext: str, secret: str) -> str:
    """HMAC-SHA256 of the whole key under the deployment's secret, hex: a stolen table is useless alone."""
    return hmac.new(secret.encode(), plaintext.encode(), hashlib.sha256).hexdigest()


def issue_key(
    tenant_id: uuid.UUID,
    name: str,
    role: Role,
    secret: str,
    now: datetime,
    *,
    key_id: uuid.UUID | None = None,
) -> IssuedKey:
    """A new random key "cvk_<prefix>_<secret>" and its record."""
    prefix = secrets.token_hex(PREFIX_LENGTH // 2)
    plaintext = f"{KEY_MARK}_{prefix}_{secrets.token_urlsafe(SECRET_BYTES)}"
    record = ApiKey(
        id=key_id or uuid.uuid4(),
        tenant_id=tenant_id,
        name=name,
        prefix=f"{KEY_MARK}_{prefix}",
        key_hash=hash_key(plaintext, secret),
        role=role,
        created_at=now,
    )
    return IssuedKey(record, plaintext)


def looks_like_key(value: str) -> bool:
    """Cheap shape check before any lookup: mark, hex prefix, a secret of the right length."""
    parts = value.split("_", 2)
    return (
        len(parts) == 3
        and parts[0] == KEY_MARK
        and len(parts[1]) == PREFIX_LENGTH
        and all(c in "0123456789abcdef" for c in parts[1])
        and 40 <= len(parts[2]) <= 64
    )


@dataclass(slots=True)
class OperatorAudit:
    """One write made through the admin API: who (the key, or "platform"), what, before and after."""

    id: uuid.UUID
    tenant_id: uuid.UUID
    actor: str
    """"key:<key id>" or "platform"."""
    action: str
    """"create", "update", "delete", "restore", "revoke", "import"..."""
    entity: str
    """"user", "transaction", "budget", "key", "settings"..."""
    entity_id: str | None
    before: dict[str, object] | None
    after: dict[str, object] | None
    at: datetime
    seq: int | None = None
    """Storage order, assigned by the database; the listing's cursor."""


MAX_KEY_NAME = 100


async def create_key(
    tenant_id: uuid.UUID,
    name: str,
    role: Role | str,
    secret: str,
    directory: DirectoryUnitOfWork,
    clock: Clock,
) -> IssuedKey:
    """Make and store a key for the tenant; the plaintext is in the result and nowhere else."""
    from domain import validation as v
    from domain.errors import NotFound

    if await directory.tenants.get(tenant_id) is None:
        raise NotFound("tenant", tenant_id)
    label = v.required_text(name, "name", MAX_KEY_NAME)
    issued = issue_key(tenant_id, label, v.enum_value(Role, role, "role"), secret, clock.now())
    await directory.keys.add(issued.record)
    await directory.commit()
    return issued
