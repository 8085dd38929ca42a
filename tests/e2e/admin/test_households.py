"""Households through the admin API on PostgreSQL: an operator creates one with members (active at once),
renames, adds and removes members, closes it; shared budgets and accounts name it; balances net every split
and settlement per pair; writes are audited; another tenant's households are out of reach."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient

from adapters.db.tables import outbox
from bot.keys import DATABASE
from domain.commands import RecordTransaction, SettleUp, SplitExpense
from domain.households import settle_up, split_expense
from tests.e2e.admin.conftest import ApiTenant

pytestmark = pytest.mark.integration

API = "/api/v1"


async def _json(response: Any, status: int) -> Any:
    assert response.status == status, await response.text()
    return await response.json()


async def _user(api: TestClient, tenant: ApiTenant, name: str) -> str:
    phone = "+55119" + str(uuid.uuid4().int % 10**8).zfill(8)
    body = {"phone": phone, "name": name}
    return str((await _json(await api.post(f"{API}/users", json=body, headers=tenant.admin), 201))["id"])


async def _household(api: TestClient, tenant: ApiTenant, *members: str, name: str = "Casa") -> dict[str, Any]:
    body = {"name": name, "members": list(members)}
    return dict(await _json(await api.post(f"{API}/households", json=body, headers=tenant.admin), 201))


async def _notices(api: TestClient, tenant: ApiTenant) -> list[tuple[str, str, str]]:
    """(user, what, who) of the tenant's household notices in the outbox, oldest first."""
    async with api.app[DATABASE].unit_of_work(uuid.UUID(tenant.id)) as uow:
        query = (
            sa.select(outbox.c.payload).where(outbox.c.event_type == "HouseholdNotice").order_by(outbox.c.id)
        )
        rows = (await uow.execute(query)).scalars().all()
    return [(row["user_id"], row["what"], row["who"]) for row in rows]


async def test_an_operator_creates_renames_and_closes_a_household(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    ana = tenant_a.user["id"]
    bruno = await _user(api, tenant_a, "Bruno")
    created = await _household(api, tenant_a, ana, bruno)
    assert created["name"] == "Casa" and created["closed_at"] is None and created["created_by"] == ana
    assert [(m["user_id"], m["role"], m["status"]) for m in created["members"]] == [
        (ana, "owner", "active"),
        (bruno, "member", "active"),
    ]
    hid = created["id"]

    renamed = await _json(
        await api.patch(f"{API}/households/{hid}", json={"name": "Lar"}, headers=tenant_a.admin), 200
    )
    assert renamed["name"] == "Lar" and len(renamed["members"]) == 2
    read = await _json(await api.get(f"{API}/households/{hid}", headers=tenant_a.viewer), 200)
    assert read["name"] == "Lar" and {m["user_id"] for m in read["members"]} == {ana, bruno}
    listed = await _json(await api.get(f"{API}/households", headers=tenant_a.viewer), 200)
    assert [h["id"] for h in listed["items"]] == [hid] and listed["items"][0]["members"] is None

    closed = await _json(await api.delete(f"{API}/households/{hid}", headers=tenant_a.admin), 200)
    assert closed["closed_at"] is not None and closed["members"] == []
    db = api.app[DATABASE]
    async with db.unit_of_work(uuid.UUID(tenant_a.id)) as uow:
        stored = await uow.households.get(uuid.UUID(hid))
        rows = await uow.households.members(uuid.UUID(hid), active_only=False)
    assert stored is not None and stored.closed_at is not None  # kept, for the ids that name it
    assert {str(m.status) for m in rows} == {"removed"}
    # A closed household is gone for the API: every path answers like an unknown id, and it is not listed.
    for method, path, body in (
        ("GET", "", None),
        ("GET", "/members", None),
        ("GET", "/balances", None),
        ("PATCH", "", {"name": "X"}),
        ("DELETE", "", None),
        ("POST", "/members", {"user_id": ana}),
        ("DELETE", f"/members/{ana}", None),
    ):
        response = await api.request(
            method, f"{API}/households/{hid}{path}", json=body, headers=tenant_a.admin
        )
        assert response.status == 404, (method, path, await response.text())
    assert (await _json(await api.get(f"{API}/households", headers=tenant_a.viewer), 200))["items"] == []
    # Its former members are free to join another household.
    assert (await _household(api, tenant_a, bruno, ana))["members"][0]["user_id"] == bruno


async def test_members_are_added_and_removed_and_one_household_per_person(
    api: TestClient, tenant_a: ApiTenant
) -> None:
    ana = tenant_a.user["id"]
    bruno, carla = await _user(api, tenant_a, "Bruno"), await _user(api, tenant_a, "Carla")
    hid = (await _household(api, tenant_a, ana))["id"]
    path = f"{API}/households/{hid}/members"
    added = await _json(await api.post(path, json={"user_id": bruno}, headers=tenant_a.admin), 201)
    assert (added["household_id"], added["user_id"], added["role"], added["status"]) == (
        hid,
        bruno,
        "member",
        "active",
    )
    twice = await api.post(path, json={"user_id": bruno}, headers=tenant_a.admin)
    assert twice.status == 409 and (await twice.json())["type"].endswith("/conflict")
    # Bruno is told he was added (in his language, by the alert worker), and Ana that he joined.
    assert await _notices(api, tenant_a) == [(bruno, "added", "Casa"), (ana, "joined", "Bruno")]

    other = (await _household(api, tenant_a, carla, name="Outra"))["id"]
    elsewhere = await api.post(
        f"{API}/households/{other}/members", json={"user_id": ana}, headers=tenant_a.admin
    )
    assert elsewhere.status == 409 and "another household" in (await elsewhere.json())["detail"]
    # Creating a household with someone already in one creates nothing.
    before = await _json(await api.get(f"{API}/households", headers=tenant_a.viewer), 200)
    response = await api.post(
        f"{API}/households", json={"name": "X", "members": [bruno]}, headers=tenant_a.admin
    )
    assert response.status == 409
    assert await _json(await api.get(f"{API}/households", headers=tenant_a.viewer), 200) == before

    removed = await _json(await api.delete(f"{path}/{ana}", headers=tenant_a.admin), 200)
    assert (removed["user_id"], removed["status"]) == (ana, "removed")
    assert (await _notices(api, tenant_a))[-1] == (ana, "dropped", "Casa")
    # The owner went: the longest-standing member (Bruno) took over.
    read = await _json(await api.get(f"{API}/households/{hid}", headers=tenant_a.viewer), 200)
    assert [(m["user_id"], m["role"]) for m in read["members"]] == [(bruno, "owner")]
    assert (await _json(await api.delete(f"{path}/{ana}", headers=tenant_a.admin), 200))[
        "status"
    ] == "removed"
    assert (await api.delete(f"{path}/{carla}", headers=tenant_a.admin)).status == 404

    # An owner added takes the role over.
    back = await _json(
        await api.post(path, json={"user_id": ana, "role": "owner"}, headers=tenant_a.admin), 201
    )
    assert back["role"] == "owner"
    roles = {
        m["user_id"]: m["role"]
        for m in (await _json(await api.get(f"{API}/households/{hid}", headers=tenant_a.viewer), 200))[
            "members"
        ]
    }
    assert roles == {ana: "owner", bruno: "member"}
    history = await _json(await api.get(f"{path}?status=removed", headers=tenant_a.viewer), 200)
    assert [m["user_id"] for m in history["items"]] == [ana]


async def test_shared_budgets_and_accounts_name_the_household(api: TestClient, tenant_a: ApiTenant) -> None:
    ana = tenant_a.user["id"]
    bruno, outsider = await _user(api, tenant_a, "Bruno"), await _user(api, tenant_a, "Zé")
    hid = (await _household(api, tenant_a, ana, bruno))["id"]
    body = {"user_id": ana, "amount": "800", "category": "groceries", "household_id": hid}
    budget = await _json(await api.post(f"{API}/budgets", json=body, headers=tenant_a.admin), 201)
    assert budget["household_id"] == hid and budget["user_id"] == ana
    # One shared budget per category for the household, whichever member sets it.
    again = await api.post(f"{API}/budgets", json={**body, "user_id": bruno}, headers=tenant_a.admin)
    assert again.status == 409
    personal = await _json(
        await api.post(f"{API}/budgets", json={**body, "household_id": None}, headers=tenant_a.admin), 201
    )
    assert personal["household_id"] is None
    for refused in ({**body, "user_id": outsider}, {**body, "household_id": str(uuid.uuid4())}):
        response = await api.post(f"{API}/budgets", json=refused, headers=tenant_a.admin)
        assert response.status == 422, await response.text()
        assert (await response.json())["errors"][0]["field"] == "household_id"
    assert (await _json(await api.get(f"{API}/budgets/{budget['id']}", headers=tenant_a.viewer), 200))[
        "household_id"
    ] == hid

    account = await _json(
        await api.post(
            f"{API}/users/{bruno}/accounts",
            json={"name": "Conta da casa", "household_id": hid},
            headers=tenant_a.admin,
        ),
        201,
    )
    assert account["household_id"] == hid and account["is_default"] is False
    response = await api.post(
        f"{API}/users/{outsider}/accounts", json={"name": "Casa", "household_id": hid}, headers=tenant_a.admin
    )
    assert response.status == 422
    spent = await _json(
        await api.post(
            f"{API}/transactions",
            json={"user_id": bruno, "kind": "expense", "amount": "10", "account_id": account["id"]},
            headers=tenant_a.admin,
        ),
        201,
    )
    assert spent["household_id"] == hid  # spending on the shared account is the household's

    # Closing keeps what named the household, for the history; a closed household takes no new shared budget.
    await _json(await api.delete(f"{API}/households/{hid}", headers=tenant_a.admin), 200)
    kept = await _json(await api.get(f"{API}/budgets/{budget['id']}", headers=tenant_a.viewer), 200)
    assert kept["household_id"] == hid
    assert (await _json(await api.get(f"{API}/accounts/{account['id']}", headers=tenant_a.viewer), 200))[
        "household_id"
    ] == hid
    response = await api.post(f"{API}/budgets", json={**body, "category": "rent"}, headers=tenant_a.admin)
    assert response.status == 422


async def test_balances_net_every_split_and_settlement_per_pair(api: TestClient, tenant_a: ApiTenant) -> None:
    ana = tenant_a.user["id"]
    bruno, carla = await _user(api, tenant_a, "Bruno"), await _user(api, tenant_a, "Carla")
    hid = (await _household(api, tenant_a, ana, bruno, carla))["id"]
    path = f"{API}/households/{hid}/balances"
    assert (await _json(await api.get(path, headers=tenant_a.viewer), 200)) == {
        "household_id": hid,
        "balances": [],
    }

    db = api.app[DATABASE]
    tenant_id = uuid.UUID(tenant_a.id)

    async def split(payer: str, amount: str, *people: str) -> None:
        expense = RecordTransaction(user_id=uuid.UUID(payer), kind="expense", amount=amount)
        async with db.unit_of_work(tenant_id, uuid.UUID(payer)) as uow:
            assert (await split_expense(SplitExpense(expense, people), uow, db.clock)).outcome == "split"

    await split(ana, "90")  # Bruno and Carla owe Ana 30 each
    await split(bruno, "30", "Ana")  # Ana owes Bruno 15
    found = await _json(await api.get(path, headers=tenant_a.viewer), 200)
    owed = {(b["debtor_id"], b["creditor_id"]): (b["amount"], b["currency"]) for b in found["balances"]}
    assert owed == {(bruno, ana): ("15.00", "BRL"), (carla, ana): ("30.00", "BRL")}

    async with db.unit_of_work(tenant_id, uuid.UUID(carla)) as uow:
        assert (
            await settle_up(SettleUp(user_id=uuid.UUID(carla), who="Ana"), uow, db.clock)
        ).outcome == "settled"
    found = await _json(await api.get(path, headers=tenant_a.viewer), 200)
    assert [(b["debtor_id"], b["creditor_id"], b["amount"]) for b in found["balances"]] == [
        (bruno, ana, "15.00")
    ]
    # Closing would hide what Bruno owes: refused until they settle up.
    refused = await api.delete(f"{API}/households/{hid}", headers=tenant_a.admin)
    assert refused.status == 409 and "settle up" in (await refused.json())["detail"]
    # Debts outlive membership: removing Bruno keeps what he owes.
    await _json(await api.delete(f"{API}/households/{hid}/members/{bruno}", headers=tenant_a.admin), 200)
    assert len((await _json(await api.get(path, headers=tenant_a.viewer), 200))["balances"]) == 1
    assert (await api.delete(f"{API}/households/{hid}", headers=tenant_a.admin)).status == 409


async def test_writes_are_audited_and_viewers_cannot_write(api: TestClient, tenant_a: ApiTenant) -> None:
    ana = tenant_a.user["id"]
    bruno = await _user(api, tenant_a, "Bruno")
    response = await api.post(f"{API}/households", json={"name": "Casa"}, headers=tenant_a.viewer)
    assert response.status == 403
    hid = (await _household(api, tenant_a, ana))["id"]
    await _json(
        await api.post(f"{API}/households/{hid}/members", json={"user_id": bruno}, headers=tenant_a.admin),
        201,
    )
    await _json(await api.patch(f"{API}/households/{hid}", json={"name": "Lar"}, headers=tenant_a.admin), 200)
    await _json(await api.delete(f"{API}/households/{hid}", headers=tenant_a.admin), 200)

    trail = await _json(
        await api.get(f"{API}/audit?entity=household&entity_id={hid}", headers=tenant_a.viewer), 200
    )
    assert [item["action"] for item in trail["items"]] == ["delete", "update", "create"]
    assert all(item["actor"] == f"key:{tenant_a.admin_key_id}" for item in trail["items"])
    assert trail["items"][1]["before"]["name"] == "Casa" and trail["items"][1]["after"]["name"] == "Lar"
    members = await _json(await api.get(f"{API}/audit?entity=household_member", headers=tenant_a.viewer), 200)
    changes = sorted(
        (item["action"], item["after"]["user_id"], item["after"]["status"]) for item in members["items"]
    )
    assert changes == sorted(
        [
            ("create", ana, "active"),
            ("create", bruno, "active"),
            ("delete", ana, "removed"),
            ("delete", bruno, "removed"),
        ]
    )


async def test_another_tenants_households_and_users_are_out_of_reach(
    api: TestClient, tenant_a: ApiTenant, tenant_b: ApiTenant
) -> None:
    ana = tenant_a.user["id"]
    hid = (await _household(api, tenant_a, ana))["id"]
    for path in (f"/households/{hid}", f"/households/{hid}/members", f"/households/{hid}/balances"):
        response = await api.get(API + path, headers=tenant_b.admin)
        assert response.status == 404, path
    assert (await _json(await api.get(f"{API}/households", headers=tenant_b.admin), 200))["items"] == []
    assert (
        await api.patch(f"{API}/households/{hid}", json={"name": "B"}, headers=tenant_b.admin)
    ).status == 404
    assert (await api.delete(f"{API}/households/{hid}", headers=tenant_b.admin)).status == 404
    assert (await api.delete(f"{API}/households/{hid}/members/{ana}", headers=tenant_b.admin)).status == 404
    b_user = tenant_b.user["id"]
    response = await api.post(
        f"{API}/households/{hid}/members", json={"user_id": b_user}, headers=tenant_b.admin
    )
    assert response.status == 404
    # A's household with B's user, by A's key: that user does not exist here (as for any unknown id).
    response = await api.post(
        f"{API}/households/{hid}/members", json={"user_id": b_user}, headers=tenant_a.admin
    )
    assert response.status == 422 and (await response.json())["detail"] == "user_id: no such user"
    nobody = await api.post(
        f"{API}/households/{hid}/members", json={"user_id": str(uuid.uuid4())}, headers=tenant_a.admin
    )
    assert (nobody.status, await nobody.json()) == (422, await response.json())
    response = await api.post(
        f"{API}/households", json={"name": "X", "members": [b_user]}, headers=tenant_a.admin
    )
    assert response.status == 404
    # B cannot hang a shared budget or account on A's household.
    b_own = (await _household(api, tenant_b, b_user))["id"]
    assert b_own != hid
    body = {"user_id": b_user, "amount": "10", "household_id": hid}
    assert (await api.post(f"{API}/budgets", json=body, headers=tenant_b.admin)).status == 422
    response = await api.post(
        f"{API}/users/{b_user}/accounts", json={"name": "Shared", "household_id": hid}, headers=tenant_b.admin
    )
    assert response.status == 422
    read = await _json(await api.get(f"{API}/households/{hid}", headers=tenant_a.viewer), 200)
    assert read["name"] == "Casa" and [m["user_id"] for m in read["members"]] == [ana]
