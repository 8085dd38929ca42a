"""The tenant's own merchants: names, aliases and categories the chat (and statement imports) match first."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field

from bot.admin.api import Call, Listed, Resource
from bot.admin.problems import not_found
from bot.admin.schemas import SAFE_TEXT, ListQuery, Out, Strict
from domain.merchants import (
    MAX_ALIAS,
    MAX_ALIASES,
    CreateMerchant,
    DeleteMerchant,
    UpdateMerchant,
    create_merchant,
    delete_merchant,
    merchant_key,
    update_merchant,
)
from domain.model import CATEGORIES, Merchant
from domain.validation import MAX_MERCHANT

api = Resource("merchants")

MerchantName = Annotated[str, Field(min_length=1, max_length=MAX_MERCHANT, pattern=SAFE_TEXT)]
Alias = Annotated[str, Field(min_length=1, max_length=MAX_ALIAS, pattern=SAFE_TEXT)]
CategoryKey = Literal[CATEGORIES]  # type: ignore[valid-type]


class MerchantIn(Strict):
    name: MerchantName
    """The name transactions get ("Padaria do Zé"); case, accents and punctuation aside, unique."""
    aliases: list[Alias] = Field(default_factory=list, max_length=MAX_ALIASES)
    """Other ways people and bank statements write it ("zezinho", "PAG*PADARIADOZE")."""
    category: CategoryKey | None = None
    """Its default category; null lets the words of each message decide."""


class MerchantPatch(Strict):
    name: MerchantName | None = None
    aliases: list[Alias] | None = Field(default=None, max_length=MAX_ALIASES)
    """The whole new list ([] removes every alias)."""
    category: CategoryKey | None = None
    """null removes the category; leave it out to keep it."""


class MerchantOut(Out):
    id: uuid.UUID
    name: str
    aliases: list[str]
    category: str | None
    created_at: datetime | None
    updated_at: datetime | None

    @classmethod
    def of(cls, merchant: Merchant) -> MerchantOut:
        return cls(
            id=merchant.id,
            name=merchant.name,
            aliases=list(merchant.aliases),
            category=merchant.category,
            created_at=merchant.created_at,
            updated_at=merchant.updated_at,
        )


class MerchantQuery(ListQuery):
    category: CategoryKey | None = None


@api.listing("/merchants", item=MerchantOut, query=MerchantQuery, summary="The tenant's merchants, by name")
async def list_merchants(call: Call) -> Listed:
    query: MerchantQuery = call.query
    async with call.reading() as uow:
        merchants = await uow.merchants.list()
    if query.category is not None:
        merchants = [m for m in merchants if m.category == query.category]
    # At most a few thousand per tenant: ordered by name and sliced after the cursor.
    ordered = sorted(merchants, key=lambda m: (merchant_key(m.name), str(m.id)))
    after = tuple(str(part) for part in call.after) if call.after else None
    rest = [m for m in ordered if after is None or (merchant_key(m.name), str(m.id)) > after]
    page = rest[: call.limit]
    next_key = [merchant_key(page[-1].name), str(page[-1].id)] if len(rest) > call.limit else None
    return Listed([MerchantOut.of(m) for m in page], next_key)


@api.post("/merchants", body=MerchantIn, response=MerchantOut, summary="Add a merchant", conflicts=True)
async def create_merchant_route(call: Call) -> MerchantOut:
    body: MerchantIn = call.body
    async with call.writing() as uow:
        merchant = await create_merchant(
            CreateMerchant(body.name, body.aliases, body.category), uow, call.clock
        )
        out = MerchantOut.of(merchant)
        call.audit("create", "merchant", merchant.id, None, out)
    return out


@api.get("/merchants/{merchant_id}", response=MerchantOut, summary="One merchant")
async def get_merchant(call: Call) -> MerchantOut:
    async with call.reading() as uow:
        merchant = await uow.merchants.get(call.id("merchant_id"))
    if merchant is None:
        raise not_found("merchant")
    return MerchantOut.of(merchant)


@api.patch(
    "/merchants/{merchant_id}",
    body=MerchantPatch,
    response=MerchantOut,
    summary="Change a merchant's name, aliases or category",
    conflicts=True,
)
async def update_merchant_route(call: Call) -> MerchantOut:
    body: MerchantPatch = call.body
    sent = body.model_fields_set
    cmd = UpdateMerchant(
        merchant_id=call.id("merchant_id"),
        name=body.name,
        aliases=body.aliases,
        # null clears the category (the use case reads "" as clear); left out keeps it.
        category=(body.category or "") if "category" in sent else None,
    )
    async with call.writing() as uow:
        before, after = await update_merchant(cmd, uow, call.clock)
        out = MerchantOut.of(after)
        if after is not before:
            call.audit("update", "merchant", after.id, MerchantOut.of(before), out)
    return out


@api.delete("/merchants/{merchant_id}", summary="Remove a merchant (transactions keep its name)")
async def delete_merchant_route(call: Call) -> None:
    async with call.writing() as uow:
        before = await delete_merchant(DeleteMerchant(call.id("merchant_id")), uow, call.clock)
        call.audit("delete", "merchant", before.id, MerchantOut.of(before), None)
