"""A tenant's own merchants: creating, changing and deleting them, each name and alias the tenant's alone."""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, replace

from domain import validation as v
from domain.errors import Conflict, NotFound, ValidationError
from domain.model import Merchant, new_id
from domain.ports import Clock, UnitOfWork

MAX_ALIASES = 50
MAX_ALIAS = 200
MAX_MERCHANTS = 5000
"""Per tenant: the chat matches every one of them in every message, so the list is kept to a size that
stays fast (an index of a few thousand phrases)."""

_NOT_WORD = re.compile(r"[^\w]+|_+")
_APOSTROPHES = str.maketrans("", "", "'’")


def merchant_key(text: str) -> str:
    """What makes two spellings one name: case, accents, apostrophes and punctuation ignored, as the NLU
    matches them ("Padaria do Zé" = "PADARIA DO ZE" = "padaria-do-ze", "McDonald's" = "mcdonalds")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(_NOT_WORD.sub(" ", bare).split())


@dataclass(frozen=True, slots=True)
class CreateMerchant:
    name: str
    aliases: tuple[str, ...] | list[str] = ()
    category: str | None = None


@dataclass(frozen=True, slots=True)
class UpdateMerchant:
    """Change a merchant; None keeps a field, "" clears the category, () clears the aliases."""

    merchant_id: uuid.UUID
    name: str | None = None
    aliases: tuple[str, ...] | list[str] | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class DeleteMerchant:
    merchant_id: uuid.UUID


async def create_merchant(cmd: CreateMerchant, uow: UnitOfWork, clock: Clock) -> Merchant:
    """Store a new merchant of the tenant; its name and aliases must not name another of its merchants."""
    name = _name(cmd.name)
    aliases = _aliases(cmd.aliases, name)
    category = v.category(cmd.category)
    others = await uow.merchants.list()
    if len(others) >= MAX_MERCHANTS:
        raise ValidationError("name", f"a tenant has at most {MAX_MERCHANTS} merchants", reason="too_many")
    _check_unique(name, aliases, others)
    now = clock.now()
    merchant = Merchant(
        id=new_id(),
        tenant_id=uow.tenant_id,
        name=name,
        aliases=aliases,
        category=category,
        created_at=now,
        updated_at=now,
    )
    await uow.merchants.add(merchant)
    await uow.commit()
    return merchant


async def update_merchant(cmd: UpdateMerchant, uow: UnitOfWork, clock: Clock) -> tuple[Merchant, Merchant]:
    """(before, after) of the change; after is before itself when nothing changes (nothing is written)."""
    before = await uow.merchants.get(cmd.merchant_id)
    if before is None:
        raise NotFound("merchant", cmd.merchant_id)
    name = before.name if cmd.name is None else _name(cmd.name)
    aliases = _aliases(before.aliases if cmd.aliases is None else cmd.aliases, name)
    category = before.category if cmd.category is None else v.category(cmd.category)
    others = [m for m in await uow.merchants.list() if m.id != before.id]
    _check_unique(name, aliases, others)
    if (name, aliases, category) == (before.name, before.aliases, before.category):
        return before, before  # nothing to change: a repeated PATCH is not an error, and writes nothing
    after = replace(before, name=name, aliases=aliases, category=category, updated_at=clock.now())
    await uow.merchants.update(after)
    await uow.commit()
    return before, after


async def delete_merchant(cmd: DeleteMerchant, uow: UnitOfWork, clock: Clock) -> Merchant:
    """Remove a merchant; the transactions recorded with its name keep it. Returns what was deleted."""
    before = await uow.merchants.get(cmd.merchant_id)
    if before is None or not await uow.merchants.delete(before.id):
        raise NotFound("merchant", cmd.merchant_id)
    await uow.commit()
    return before


def _name(value: object) -> str:
    # The ledger's limit: a merchant's name becomes the merchant of the transactions it is matched in.
    name = v.required_text(value, "name", v.MAX_MERCHANT)
    if not merchant_key(name):
        raise ValidationError("name", "must contain a letter or a digit")
    return name


def _aliases(value: object, name: str) -> tuple[str, ...]:
    """Stripped aliases in the order given; ones spelling the name or an earlier alias again are dropped."""
    if value is None:
        return ()
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError("aliases", "must be a list of names")
    items = list(value)
    if len(items) > MAX_ALIASES:
        raise ValidationError("aliases", f"must have at most {MAX_ALIASES} items", reason="too_many")
    seen = {merchant_key(name)}
    aliases = []
    for i, item in enumerate(items):
        alias = v.required_text(item, f"aliases[{i}]", MAX_ALIAS)
        key = merchant_key(alias)
        if not key:
            raise ValidationError(f"aliases[{i}]", "must contain a letter or a digit")
        if key not in seen:
            seen.add(key)
            aliases.append(alias)
    return tuple(aliases)


def _check_unique(name: str, aliases: tuple[str, ...], others: list[Merchant]) -> None:
    """A name or alias naming two merchants would make the chat pick one at random."""
    taken = {merchant_key(text): m for m in others for text in (m.name, *m.aliases)}
    for field, text in [("name", name), *(("aliases", alias) for alias in aliases)]:
        owner = taken.get(merchant_key(text))
        if owner is not None:
            raise Conflict(field, f"{text!r} already names the merchant {owner.name!r}")


__all__ = [
    "MAX_ALIAS",
    "MAX_ALIASES",
    "MAX_MERCHANTS",
    "CreateMerchant",
    "DeleteMerchant",
    "UpdateMerchant",
    "create_merchant",
    "delete_merchant",
    "merchant_key",
    "update_merchant",
]
