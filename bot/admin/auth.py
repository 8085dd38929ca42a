"""Who is calling: the Bearer key of a request resolved to a principal (a tenant key with its role, or the
platform key), and the checks each operation makes of it."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass

from adapters.db import Database
from bot.admin.problems import Problem
from bot.settings import Settings
from domain.access import Role, hash_key, looks_like_key
from domain.model import Tenant

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="centavo"'}


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller. A tenant key acts in its tenant only; the platform key only on platform operations."""

    platform: bool
    role: Role
    tenant_id: uuid.UUID | None = None
    key_id: uuid.UUID | None = None
    prefix: str | None = None

    @property
    def actor(self) -> str:
        """What the audit trail records as "who"."""
        return "platform" if self.platform else f"key:{self.key_id}"

    @property
    def limit_key(self) -> str:
        """The rate limit bucket: one per key."""
        return "platform" if self.platform else str(self.key_id)


def unauthorized(detail: str) -> Problem:
    return Problem(401, detail, kind="unauthorized", headers=CHALLENGE)


def bearer(authorization: str | None) -> str:
    if not authorization:
        raise unauthorized("send the API key as `Authorization: Bearer <key>`")
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        raise unauthorized("send the API key as `Authorization: Bearer <key>`")
    return token


async def authenticate(
    authorization: str | None, db: Database, settings: Settings
) -> tuple[Principal, Tenant | None]:
    """The principal behind the header and its tenant (None for the platform key), read in one directory
    transaction; or 401: missing, malformed, unknown and revoked keys, and a key whose tenant is gone, all
    answer alike (a revoked key is not told apart, so a leaked one reveals nothing)."""
    token = bearer(authorization)
    if settings.platform_key and hmac.compare_digest(token.encode(), settings.platform_key.encode()):
        return Principal(platform=True, role=Role.ADMIN), None
    if not looks_like_key(token):
        raise unauthorized("this API key is not valid")
    async with db.directory() as directory:
        key = await directory.keys.find_by_hash(hash_key(token, settings.api_key_secret))
        tenant = None if key is None or key.revoked else await directory.tenants.get(key.tenant_id)
    if key is None or tenant is None:
        raise unauthorized("this API key is not valid")
    principal = Principal(
        platform=False, role=key.role, tenant_id=key.tenant_id, key_id=key.id, prefix=key.prefix
    )
    return principal, tenant


def authorize(principal: Principal, *, platform_only: bool, write: bool) -> None:
    """403 when the key may not call this operation."""
    if platform_only and not principal.platform:
        raise Problem(403, "this operation needs the platform key", kind="forbidden")
    if not platform_only and principal.platform:
        raise Problem(403, "this operation needs a tenant's API key", kind="forbidden")
    if write and principal.role is not Role.ADMIN:
        raise Problem(403, "this key is a viewer key: it can only read", kind="forbidden")
