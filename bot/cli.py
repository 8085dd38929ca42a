"""The `centavo` command line: serve, worker, migrate, tenant, channel and user administration, demo."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import uuid
from collections.abc import Sequence

from adapters.clock import SystemClock
from adapters.db import ChannelEndpoint, Database
from adapters.db.messaging import Provider
from adapters.db.migrate import upgrade
from bot.settings import Settings
from bot.webhooks.inbound import E164
from domain import services
from domain.commands import AddUser, CreateTenant
from domain.errors import Conflict, DomainError, NotFound, ValidationError
from domain.model import Tenant

DEMO_TENANT = CreateTenant(
    slug="demo", name="Centavo demo", currency="USD", locale="en_US", timezone="America/New_York"
)
DEMO_PHONE = "+15550100001"
DEMO_NUMBER = "+15550100000"
"""The demo tenant's Twilio number: where the printed test request is sent to."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centavo", description="Centavo, a chat-first money assistant.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("migrate", help="upgrade the database schema to the latest revision")
    serve = commands.add_parser("serve", help="run the HTTP server (webhooks, probes, metrics)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    worker = commands.add_parser("worker", help="answer stored inbound messages nobody answered")
    worker.add_argument("--once", action="store_true", help="run one pass and exit")
    channel = commands.add_parser("channel", help="route provider numbers to tenants").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    channel_add = channel.add_parser("add", help="route a Twilio number or Meta phone_number_id to a tenant")
    channel_add.add_argument("--tenant", required=True, help="tenant slug")
    address = channel_add.add_mutually_exclusive_group(required=True)
    address.add_argument("--twilio-number", help="E.164, e.g. +14155550100")
    address.add_argument("--meta-phone-number-id", help="the WhatsApp Cloud API phone_number_id")
    commands.add_parser("demo", help="create the demo tenant and user when missing, and show them")
    signed = commands.add_parser(
        "signed-request", help="print a curl command posting a Twilio-signed message to this server"
    )
    signed.add_argument("--text", default="spent 25 at Starbucks", help="the message")
    signed.add_argument("--phone", default=DEMO_PHONE, help=f"who sends it, E.164 (default: {DEMO_PHONE})")
    signed.add_argument("--to", default=DEMO_NUMBER, help=f"the tenant's number (default: {DEMO_NUMBER})")
    signed.add_argument("--sms", action="store_true", help="as an SMS (default: WhatsApp)")
    chat = commands.add_parser("chat", help="talk to the assistant in this terminal (Ctrl-D to quit)")
    chat.add_argument("--tenant", default=DEMO_TENANT.slug, help="tenant slug (default: demo)")
    chat.add_argument("--phone", default=DEMO_PHONE, help=f"who you are, E.164 (default: {DEMO_PHONE})")
    chat.add_argument("--lang", choices=["en", "es", "pt"], help="start in this language")
    commands.add_parser(
        "nlu", help="understand messages: JSON Lines requests on stdin, results on stdout (NLU_CONTRACT.md)"
    )

    tenant = commands.add_parser("tenant", help="manage tenants").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = tenant.add_parser("create", help="create a tenant")
    create.add_argument("--slug", required=True, help="short unique handle, e.g. acme")
    create.add_argument("--name", required=True)
    create.add_argument("--currency", required=True, help="ISO 4217 code, e.g. BRL")
    create.add_argument("--locale", required=True, help="e.g. pt_BR, es_MX, en_US")
    create.add_argument("--tz", required=True, help="IANA time zone, e.g. America/Sao_Paulo")
    create.add_argument("--lang", choices=["en", "es", "pt"], help="default language (from the locale)")
    create.add_argument(
        "--policy",
        choices=["open", "closed"],
        default="open",
        help="what to do with unknown senders (default: open)",
    )
    tenant.add_parser("list", help="list tenants")

    user = commands.add_parser("user", help="manage users").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    add = user.add_parser("add", help="add a user to a tenant")
    add.add_argument("--tenant", required=True, help="tenant slug")
    add.add_argument("--phone", required=True, help="E.164, e.g. +5511987654321")
    add.add_argument("--name", default="")
    add.add_argument("--lang", choices=["en", "es", "pt"], help="default: the tenant's")
    add.add_argument("--locale", help="default: the tenant's")
    add.add_argument("--currency", help="default: the tenant's")
    add.add_argument("--tz", help="default: the tenant's")
    listing = user.add_parser("list", help="list users")
    listing.add_argument("--tenant", help="tenant slug (default: every tenant)")
    return parser


async def _find_tenant(db: Database, slug: str) -> Tenant:
    async with db.directory() as directory:
        tenant = await directory.tenants.get_by_slug(slug)
    if tenant is None:
        raise NotFound("tenant", slug)
    return tenant


async def _create_tenant(db: Database, args: argparse.Namespace) -> None:
    cmd = CreateTenant(
        slug=args.slug,
        name=args.name,
        currency=args.currency,
        locale=args.locale,
        timezone=args.tz,
        language=args.lang,
        policy=args.policy,
    )
    async with db.directory() as directory:
        tenant = await services.create_tenant(cmd, directory, SystemClock())
    print(f"created tenant {tenant.slug} ({tenant.id}) {tenant.currency} {tenant.locale} {tenant.timezone}")


async def _list_tenants(db: Database) -> None:
    async with db.directory() as directory:
        tenants = await directory.tenants.list()
    print("slug\tname\tlanguage\tlocale\tcurrency\ttimezone\tpolicy")
    for t in tenants:
        print(f"{t.slug}\t{t.name}\t{t.language}\t{t.locale}\t{t.currency}\t{t.timezone}\t{t.policy}")


async def _add_user(db: Database, args: argparse.Namespace) -> None:
    tenant = await _find_tenant(db, args.tenant)
    cmd = AddUser(
        phone=args.phone,
        name=args.name,
        language=args.lang,
        locale=args.locale,
        currency=args.currency,
        timezone=args.tz,
    )
    async with db.unit_of_work(tenant.id) as uow:
        user = await services.add_user(cmd, tenant, uow, SystemClock())
    print(f"added user {user.phone} ({user.id}) to {tenant.slug}: {user.language} {user.currency}")


async def _list_users(db: Database, slug: str | None) -> None:
    if slug:
        tenants = [await _find_tenant(db, slug)]
    else:
        async with db.directory() as directory:
            tenants = await directory.tenants.list()
    print("tenant\tphone\tname\tlanguage\tlocale\tcurrency\ttimezone")
    for tenant in tenants:
        # Each tenant's users are read in that tenant's own unit of work: there is no cross-tenant query.
        async with db.unit_of_work(tenant.id) as uow:
            users = await uow.users.list()
        for u in users:
            print(f"{tenant.slug}\t{u.phone}\t{u.name}\t{u.language}\t{u.locale}\t{u.currency}\t{u.timezone}")


async def _add_channel(db: Database, args: argparse.Namespace) -> None:
    tenant = await _find_tenant(db, args.tenant)
    if args.twilio_number:
        if not E164.match(args.twilio_number):
            raise ValidationError("twilio-number", "must be E.164, e.g. +14155550100")
        provider: Provider = "twilio"
        address = args.twilio_number
    else:
        provider, address = "meta", args.meta_phone_number_id.strip()
        if not address.isdigit():
            raise ValidationError("meta-phone-number-id", "must be digits")
    endpoint = ChannelEndpoint(id=uuid.uuid4(), tenant_id=tenant.id, provider=provider, address=address)
    async with db.directory() as directory:
        await directory.endpoints.add(endpoint)
        await directory.commit()
    print(f"routed {provider} {address} to {tenant.slug}")


def _signed_request(settings: Settings, text: str, sender: str, recipient: str, *, sms: bool = False) -> str:
    from bot.signed_request import curl_command, twilio_form

    if not settings.twilio_auth_token:
        return "Set TWILIO_AUTH_TOKEN to get a signed test request (`make run` uses a local one)."
    form = twilio_form(text, sender, recipient, whatsapp=not sms)
    command = curl_command(
        form, public_base_url=settings.public_base_url, auth_token=settings.twilio_auth_token
    )
    return f"Try the webhook (the reply comes back as TwiML):\n  {command}"


async def _demo(db: Database, settings: Settings) -> None:
    clock = SystemClock()
    try:
        async with db.directory() as directory:
            tenant = await services.create_tenant(DEMO_TENANT, directory, clock)
        print(f"created the demo tenant '{tenant.slug}'")
    except Conflict:
        tenant = await _find_tenant(db, DEMO_TENANT.slug)
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
    await _list_users(db, tenant.slug)
    print(
        "\nTalk to it: .venv/bin/centavo chat --lang pt   (try: gastei 45,90 no mercado ontem)\n"
        + _signed_request(settings, "spent 25 at Starbucks", DEMO_PHONE, DEMO_NUMBER)
        + "\n  (another message: .venv/bin/centavo signed-request --text 'gastei 30 na farmacia', with the "
        "server's TWILIO_AUTH_TOKEN in the environment; `make run` uses centavo-local-dev-token)\n"
        "Real traffic: set TWILIO_AUTH_TOKEN and PUBLIC_BASE_URL, route your number with "
        "`centavo channel add --tenant demo --twilio-number +1...`, and point Twilio at /webhooks/twilio."
    )


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    db = Database(settings.database_url)
    try:
        if args.command == "demo":
            await _demo(db, settings)
        elif args.command == "chat":
            from bot.chat import chat, terminal_lines

            await chat(
                settings,
                tenant_slug=args.tenant,
                phone=args.phone,
                lang=args.lang,
                lines=terminal_lines(),
                say=lambda text: print(f"centavo> {text}"),
            )
        elif args.command == "tenant" and args.action == "create":
            await _create_tenant(db, args)
        elif args.command == "tenant" and args.action == "list":
            await _list_tenants(db)
        elif args.command == "user" and args.action == "add":
            await _add_user(db, args)
        elif args.command == "channel" and args.action == "add":
            await _add_channel(db, args)
        elif args.command == "user" and args.action == "list":
            await _list_users(db, args.tenant)
    finally:
        await db.dispose()


def _nlu() -> int:
    # Imported here: the other commands should not pay for loading the language models.
    from nlu.jsonl import run

    out = sys.stdout
    for result in run(sys.stdin.buffer):
        out.write(result + "\n")
        # Flushed per line so a caller can talk to the command request by request through a pipe.
        out.flush()
    return 0


def _serve(settings: Settings, host: str, port: int) -> int:
    from aiohttp import web

    from bot.app import create_app
    from bot.worker import default_agent_factory

    logging.basicConfig(level=settings.log_level)
    web.run_app(create_app(settings, agent_factory=default_agent_factory()), host=host, port=port)
    return 0


def _worker(settings: Settings, *, once: bool) -> int:
    from bot import worker

    logging.basicConfig(level=settings.log_level)
    done = asyncio.run(worker.run(settings, worker.default_agent_factory(), once=once))
    if once:
        print(f"done: {done} (messages answered plus budget alert events settled)")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "nlu":
        return _nlu()
    settings = Settings.from_env()
    if args.command == "serve":
        return _serve(settings, args.host, args.port)
    if args.command == "signed-request":
        print(_signed_request(settings, args.text, args.phone, args.to, sms=args.sms))
        return 0 if settings.twilio_auth_token else 2
    try:
        if args.command == "worker":
            return _worker(settings, once=args.once)
        if args.command == "migrate":
            upgrade(settings.migration_database_url)
            print("database is at the latest revision")
        else:
            asyncio.run(_run(args, settings))
    except (ValidationError, Conflict) as exc:
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot reach the database ({exc})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
