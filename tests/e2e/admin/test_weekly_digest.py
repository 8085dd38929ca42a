"""A user's weekly digest through the admin API: off until set, a day and an hour, null stops it, bad values
are refused naming the field, and a viewer cannot change it."""

from __future__ import annotations

from tests.e2e.admin.conftest import ApiTenant


async def test_the_weekly_digest_is_set_changed_and_stopped(api, tenant_a: ApiTenant) -> None:
    user = f"/api/v1/users/{tenant_a.user['id']}"
    shown = await (await api.get(user, headers=tenant_a.admin)).json()
    assert shown["weekly_digest"] is None  # nobody gets one unless they (or an operator) ask

    changed = await api.patch(user, json={"weekly_digest": {"weekday": 0, "hour": 8}}, headers=tenant_a.admin)
    assert changed.status == 200, await changed.text()
    assert (await changed.json())["weekly_digest"] == {"weekday": 0, "hour": 8}
    again = await (await api.get(user, headers=tenant_a.admin)).json()
    assert again["weekly_digest"] == {"weekday": 0, "hour": 8}

    # Other fields leave it as it is.
    renamed = await (await api.patch(user, json={"name": "Ana Maria"}, headers=tenant_a.admin)).json()
    assert renamed["weekly_digest"] == {"weekday": 0, "hour": 8}

    stopped = await api.patch(user, json={"weekly_digest": None}, headers=tenant_a.admin)
    assert stopped.status == 200
    assert (await stopped.json())["weekly_digest"] is None
    listed = await (await api.get("/api/v1/users", headers=tenant_a.admin)).json()
    assert [u["weekly_digest"] for u in listed["items"] if u["id"] == tenant_a.user["id"]] == [None]


async def test_a_day_or_hour_outside_the_week_is_refused_naming_the_field(api, tenant_a: ApiTenant) -> None:
    user = f"/api/v1/users/{tenant_a.user['id']}"
    await api.patch(user, json={"weekly_digest": {"weekday": 6, "hour": 18}}, headers=tenant_a.admin)
    for bad, field in (
        ({"weekday": 7, "hour": 18}, "weekday"),
        ({"weekday": 6, "hour": 24}, "hour"),
        ({"weekday": -1, "hour": 18}, "weekday"),
        ({"weekday": 6}, "hour"),
        ({"weekday": 6, "hour": 18, "minute": 30}, "minute"),
        ("sunday", "weekly_digest"),
    ):
        refused = await api.patch(user, json={"weekly_digest": bad}, headers=tenant_a.admin)
        assert refused.status == 422, (bad, await refused.text())
        assert field in await refused.text(), bad
    kept = await (await api.get(user, headers=tenant_a.admin)).json()
    assert kept["weekly_digest"] == {"weekday": 6, "hour": 18}


async def test_a_viewer_cannot_change_the_weekly_digest(api, tenant_a: ApiTenant) -> None:
    user = f"/api/v1/users/{tenant_a.user['id']}"
    refused = await api.patch(
        user, json={"weekly_digest": {"weekday": 6, "hour": 18}}, headers=tenant_a.viewer
    )
    assert refused.status == 403
    shown = await (await api.get(user, headers=tenant_a.admin)).json()
    assert shown["weekly_digest"] is None


async def test_the_openapi_document_describes_the_weekly_digest(api) -> None:
    document = await (await api.get("/api/v1/openapi.json")).json()
    text = str(document)
    assert "weekly_digest" in text
    schemas = document["components"]["schemas"]
    digest = schemas["WeeklyDigest"]
    assert digest["properties"]["weekday"]["minimum"] == 0 and digest["properties"]["weekday"]["maximum"] == 6
    assert digest["properties"]["hour"]["minimum"] == 0 and digest["properties"]["hour"]["maximum"] == 23
