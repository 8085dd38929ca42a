"""`centavo demo`: the demo tenant, user and number, and how to talk to them; the signed test request."""

from __future__ import annotations

import shlex
import uuid
from typing import TYPE_CHECKING

from adapters.db import ChannelEndpoint
from bot.settings import Settings
from domain import services
from domain.commands import AddUser, CreateTenant
from domain.errors import Conflict
from domain.model import Tenant

if TYPE_CHECKING:
    from bot.keys import Parts

DEMO_TENANT = CreateTenant(
    slug="demo", name="Centavo demo", currency="USD", locale="en_US", timezone="America/New_York"
)
DEMO_PHONE = "+15550100001"
DEMO_NUMBER = "+15550100000"
"""The demo tenant's Twilio number: where the printed test request is sent to."""
DEMO_NEW_PHONE = "+15550100002"
"""A number the demo does not enrol, for trying `centavo chat --lang` as a new user."""
LOCAL_DEV_TOKEN = "centavo-local-dev-token"
"""The Makefile's TWILIO_AUTH_TOKEN for `make run`: not a secret, so the demo may print it."""
NO_TOKEN = "Set TWILIO_AUTH_TOKEN to get a signed test request (`make run` uses a local one)."


def signed_request(
    settings: Settings, text: str, sender: str, recipient: str, *, sms: bool = False
) -> str | None:
    """The curl command alone (so it can be piped to sh), or None without a TWILIO_AUTH_TOKEN."""
    from bot.signed_request import curl_command, twilio_form

    if not settings.twilio_auth_token:
        return None
    form = twilio_form(text, sender, recipient, whatsapp=not sms)
    return curl_command(form, public_base_url=settings.public_base_url, auth_token=settings.twilio_auth_token)


def how_to_talk(settings: Settings) -> list[str]:
    """What `centavo demo` prints after the listing: commands on lines of their own, so each can be copied
    as it is, and the prose as `#` comments a shell ignores."""
    lines = [
        "",
        "# Talk to it in this terminal as the demo user (Ctrl-D to quit; try: spent 25 at Starbucks):",
        ".venv/bin/centavo chat",
        "# ...or as a new user who writes Portuguese (try: gastei 45,90 no mercado ontem):",
        f".venv/bin/centavo chat --phone {DEMO_NEW_PHONE} --lang pt",
    ]
    command = signed_request(settings, "spent 25 at Starbucks", DEMO_PHONE, DEMO_NUMBER)
    if command is None:
        lines.append("# " + NO_TOKEN)
    else:
        env = f"PUBLIC_BASE_URL={shlex.quote(settings.public_base_url)}"
        if settings.twilio_auth_token == LOCAL_DEV_TOKEN:
            env = f"TWILIO_AUTH_TOKEN={LOCAL_DEV_TOKEN} {env}"
            needs = ""
        else:
            needs = " (with the server's TWILIO_AUTH_TOKEN in the environment)"
        lines += [
            "# Post a signed message to the running server's webhook (the reply comes back as TwiML):",
            command,
            f"# Another message, any text{needs}:",
            f"{env} .venv/bin/centavo signed-request --text 'gastei 30 na farmacia' | sh",
        ]
    base = settings.public_base_url
    return [
        *lines,
        '# The admin REST API (README, "Admin REST API"): make a key for the demo tenant...',
        ".venv/bin/centavo key create --tenant demo --name me --role admin",
        f"# ...and use it: curl -sS {base}/api/v1/users -H 'Authorization: Bearer <that key>'",
        "# Real traffic: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL, route your number with",
        "# `centavo channel add --tenant demo --twilio-number +1...`, and point Twilio at /webhooks/twilio.",
    ]


async def ensure_demo(parts: Parts) -> Tenant:
    """Create what is missing of the demo (tenant, user, number), saying what was created; the tenant."""
    db, clock = parts.db, parts.clock
    try:
        async with db.directory() as directory:
            tenant = await services.create_tenant(DEMO_TENANT, directory, clock)
        print(f"created the demo tenant '{tenant.slug}'")
    except Conflict:
        async with db.directory() as directory:
            found = await directory.tenants.get_by_slug(DEMO_TENANT.slug)
        if found is None:
            raise
        tenant = found
    try:
        async with db.unit_of_work(tenant.id) as uow:
            await services.add_user(AddUser(phone=DEMO_PHONE, name="Demo"), tenant, uow, clock)
        print(f"added the demo user {DEMO_PHONE}")
    except Conflict:
        pass
    async with db.directory() as directory:
        if await directory.endpoints.find("twilio", DEMO_NUMBER) is None:
            await directory.endpoints.add(ChannelEndpoint(uuid.uuid4(), tenant.id, "twilio", DEMO_NUMBER))
            await directory.commit()
            print(f"routed the demo number {DEMO_NUMBER} to '{tenant.slug}'")
    return tenant
