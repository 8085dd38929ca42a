"""A user's settings through the admin API: the first day of the week, its locale default, and clearing it."""

from __future__ import annotations

from tests.e2e.admin.conftest import ApiTenant, make_tenant


async def test_week_start_follows_the_locale_until_chosen_and_null_clears_it(api) -> None:
    us = await make_tenant(api, currency="USD", locale="en_US")
    user = f"/api/v1/users/{us.user['id']}"
    shown = await (await api.get(user, headers=us.admin)).json()
    assert (shown["week_start"], shown["week_start_chosen"]) == ("sunday", False)

    changed = await api.patch(user, json={"week_start": "monday"}, headers=us.admin)
    assert changed.status == 200, await changed.text()
    body = await changed.json()
    assert (body["week_start"], body["week_start_chosen"]) == ("monday", True)

    cleared = await (await api.patch(user, json={"week_start": None}, headers=us.admin)).json()
    assert (cleared["week_start"], cleared["week_start_chosen"]) == ("sunday", False)


async def test_a_brazilian_week_starts_on_monday_and_a_bad_day_is_refused(api, tenant_a: ApiTenant) -> None:
    user = f"/api/v1/users/{tenant_a.user['id']}"
    shown = await (await api.get(user, headers=tenant_a.admin)).json()
    assert shown["week_start"] == "monday"
    refused = await api.patch(user, json={"week_start": "wednesday"}, headers=tenant_a.admin)
    assert refused.status == 422
    problem = await refused.json()
    assert "week_start" in str(problem)
    again = await (await api.get(user, headers=tenant_a.admin)).json()
    assert (again["week_start"], again["week_start_chosen"]) == ("monday", False)


async def test_a_viewer_cannot_change_the_week_start(api, tenant_a: ApiTenant) -> None:
    user = f"/api/v1/users/{tenant_a.user['id']}"
    refused = await api.patch(user, json={"week_start": "sunday"}, headers=tenant_a.viewer)
    assert refused.status == 403
    shown = await (await api.get(user, headers=tenant_a.admin)).json()
    assert shown["week_start_chosen"] is False
