"""The `centavo` command line: serve, worker, migrate, tenant, key, channel and user administration, demo."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from adapters.db import ChannelEndpoint, Database, UnsafeDatabaseRole
from adapters.db.messaging import Provider
from adapters.db.migrate import current_revision, upgrade
from bot import demo, key_commands
from bot.demo import DEMO_NUMBER, DEMO_PHONE, DEMO_TENANT, NO_TOKEN
from bot.settings import Settings
from bot.webhooks.inbound import E164
from domain import services, validation
from domain.commands import AddUser, CreateTenant
from domain.errors import Conflict, DomainError, NotFound, ValidationError
from domain.model import Tenant

if TYPE_CHECKING:
    from bot.keys import Parts

DEFAULT_PORT = 8080

# bot.bootstrap (the composition root) is imported by the commands that build parts, not here: it loads
# the cache, channel and HTTP libraries, which `centavo nlu` and --help should not wait for.


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="centavo", description="Centavo, a chat-first money assistant.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser(
        "migrate", help="create or upgrade the database schema to the latest revision, and say which"
    )
    serve = commands.add_parser("serve", help="run the HTTP server (webhooks, probes, metrics)")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, help=f"default: $PORT, else {DEFAULT_PORT}")
    serve.add_argument(
        "--processes",
        type=int,
        default=1,
        help="server processes sharing the port (SO_REUSEPORT, Linux); about one per core (default 1)",
    )
    worker = commands.add_parser("worker", help="answer stored inbound messages nobody answered")
    worker.add_argument("--once", action="store_true", help="run one pass and exit")
    worker.add_argument(
        "--dead-letters",
        action="store_true",
        help="list the pushes given up after retryable errors (tenant, event, type, attempts, last error)",
    )
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
    chat.add_argument(
        "--lang", choices=["en", "es", "pt"], help="the language of a new user (an existing one keeps theirs)"
    )
    commands.add_parser(
        "nlu", help="understand messages: JSON Lines requests on stdin, results on stdout (NLU_CONTRACT.md)"
    )

    tenant = commands.add_parser("tenant", help="manage tenants").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    create = tenant.add_parser("create", help="create a tenant and print its first admin API key")
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
    key_commands.add_parser(commands)

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


async def _create_tenant(parts: Parts, args: argparse.Namespace) -> None:
    cmd = CreateTenant(
        slug=args.slug,
        name=args.name,
        currency=args.currency,
        locale=args.locale,
        timezone=args.tz,
        language=args.lang,
        policy=args.policy,
    )
    async with parts.db.directory() as directory:
        tenant = await services.create_tenant(cmd, directory, parts.clock)
    print(f"created tenant {tenant.slug} ({tenant.id}) {tenant.currency} {tenant.locale} {tenant.timezone}")
    key_commands.print_issued(await key_commands.first_admin_key(parts, tenant))


async def _list_tenants(db: Database) -> None:
    async with db.directory() as directory:
        tenants = await directory.tenants.list()
    print("slug\tname\tlanguage\tlocale\tcurrency\ttimezone\tpolicy")
    for t in tenants:
        print(f"{t.slug}\t{t.name}\t{t.language}\t{t.locale}\t{t.currency}\t{t.timezone}\t{t.policy}")


async def _list_dead_letters(db: Database) -> None:
    from bot import dead_letters

    found = await dead_letters.listing(db)
    print("tenant\toutbox_id\tevent_id\ttype\tattempts\tsettled_at\tlast_error")
    for tenant, letter in found:
        settled = letter.settled_at.isoformat() if letter.settled_at else ""
        print(
            f"{tenant.slug}\t{letter.id}\t{letter.event_id or ''}\t{letter.event_type}\t{letter.attempts}"
            f"\t{settled}\t{letter.last_error or ''}"
        )
    print(f"{len(found)} dead letter(s)", file=sys.stderr)


async def _add_user(parts: Parts, args: argparse.Namespace) -> None:
    tenant = await _find_tenant(parts.db, args.tenant)
    cmd = AddUser(
        phone=args.phone,
        name=args.name,
        language=args.lang,
        locale=args.locale,
        currency=args.currency,
        timezone=args.tz,
    )
    async with parts.db.unit_of_work(tenant.id) as uow:
        user = await services.add_user(cmd, tenant, uow, parts.clock)
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


async def _chat(args: argparse.Namespace, settings: Settings) -> None:
    from bot.bootstrap import Bootstrap
    from bot.chat import chat, terminal_lines

    async with Bootstrap(settings, channels=False).open() as parts:
        await chat(
            parts,
            tenant_slug=args.tenant,
            phone=args.phone,
            lang=args.lang,
            lines=terminal_lines(),
            say=lambda text: print(f"centavo> {text}"),
            note=print,
        )


async def _demo(parts: Parts) -> None:
    tenant = await demo.ensure_demo(parts)
    await _list_users(parts.db, tenant.slug)
    print("\n".join(demo.how_to_talk(parts.settings)))


async def _run(args: argparse.Namespace, settings: Settings) -> None:
    from bot.bootstrap import Bootstrap

    if args.command == "chat":
        await _chat(args, settings)
        return
    async with Bootstrap.database_only(settings).open() as parts:
        if args.command == "demo":
            await _demo(parts)
        elif args.command == "tenant" and args.action == "create":
            await _create_tenant(parts, args)
        elif args.command == "tenant" and args.action == "list":
            await _list_tenants(parts.db)
        elif args.command == "user" and args.action == "add":
            await _add_user(parts, args)
        elif args.command == "key":
            await key_commands.run(parts, args, await _find_tenant(parts.db, args.tenant))
        elif args.command == "channel" and args.action == "add":
            await _add_channel(parts.db, args)
        elif args.command == "user" and args.action == "list":
            await _list_users(parts.db, args.tenant)
        elif args.command == "worker":  # --dead-letters
            await _list_dead_letters(parts.db)


def _migrate(settings: Settings) -> str:
    """Upgrade to the newest revision and say what happened, naming the revisions."""
    url = settings.migration_database_url
    before = current_revision(url)
    upgrade(url)
    after = current_revision(url)
    if before is None:
        return f"created the schema at revision {after}"
    if before != after:
        return f"upgraded from {before} to {after}"
    return f"already at the latest revision {after}"


def _nlu() -> int:
    # Imported here: the other commands should not pay for loading the language models.
    from nlu.jsonl import run

    out = sys.stdout
    for result in run(sys.stdin.buffer):
        out.write(result + "\n")
        # Flushed per line so a caller can talk to the command request by request through a pipe.
        out.flush()
    return 0


def _serve(settings: Settings, host: str, port: int, processes: int = 1) -> int:
    from aiohttp import web

    from bot import logs
    from bot.app import create_app
    from bot.bootstrap import Bootstrap

    if not 1 <= processes <= 64:
        raise ValidationError("processes", f"must be 1 to 64 (got {processes})")
    logs.configure(settings.log_level, settings.log_format or "json")

    # Embedded (REDIS_URL unset: the cache lives in this process), one process answers everything: no
    # `centavo worker` could share its cache, and without one a held, deferred or interrupted message would
    # wait for good and no push would go out.
    beside = settings.redis_url is None and processes == 1

    def serve_one() -> None:
        web.run_app(
            create_app(Bootstrap(settings), worker=beside),
            host=host,
            port=port,
            access_log_class=logs.AccessLogger,
            reuse_port=processes > 1,
        )

    if processes == 1:
        serve_one()
        return 0
    import nlu
    from bot.processes import supervise

    # nlu.warm before the fork: loaded once, the servers share it copy-on-write and start in a fraction.
    return supervise(processes, serve_one, nlu.warm)


def _worker(settings: Settings, *, once: bool) -> int:
    from bot import logs, worker
    from bot.bootstrap import Bootstrap

    async def run() -> int:
        async with Bootstrap(settings).open() as parts:
            return await worker.run(parts, once=once)

    logs.configure(settings.log_level, settings.log_format or "json")
    done = asyncio.run(run())
    if once:
        print(f"done: {done} (messages answered plus budget alert events settled)")
    return 0


def _port(args: argparse.Namespace) -> int:
    """--port (serve), else the PORT environment variable, else 8080."""
    if getattr(args, "port", None) is not None:
        field, value = "port", str(args.port)
    elif os.environ.get("PORT", "").strip():
        field, value = "PORT", os.environ["PORT"].strip()
    else:
        return DEFAULT_PORT
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise ValidationError(field, f"must be a TCP port, 1 to 65535 (got {value!r})")
    return int(value)


def _settings(port: int) -> Settings:
    settings = Settings.from_env()
    if not os.environ.get("PUBLIC_BASE_URL", "").strip():
        # Signatures are checked against PUBLIC_BASE_URL. Unset, it is this machine on the port served, so
        # the request `centavo demo` prints under PORT=8099 verifies on `centavo serve` under PORT=8099.
        settings = replace(settings, public_base_url=f"http://localhost:{port}")
    return settings


def _check_phones(args: argparse.Namespace) -> None:
    """Refuse a malformed number before anything runs, naming the option; keep the normalized form."""
    if args.command in ("chat", "signed-request") or (args.command, getattr(args, "action", None)) == (
        "user",
        "add",
    ):
        args.phone = validation.phone(args.phone)
    if args.command == "signed-request":
        try:
            args.to = validation.phone(args.to)
        except ValidationError as exc:
            raise ValidationError("to", exc.message) from None


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "nlu":
        return _nlu()
    try:
        _check_phones(args)
        port = _port(args)
        settings = _settings(port)
        if args.command == "serve":
            return _serve(settings, args.host, port, args.processes)
        if args.command == "signed-request":
            command = demo.signed_request(settings, args.text, args.phone, args.to, sms=args.sms)
            if command is None:
                print(NO_TOKEN, file=sys.stderr)
                return 2
            # Nothing but the command on stdout: `centavo signed-request | sh` runs it.
            print(command)
            return 0
        if args.command == "worker" and not args.dead_letters:
            return _worker(settings, once=args.once)
        if args.command == "migrate":
            print(_migrate(settings))
        else:
            asyncio.run(_run(args, settings))
    except (ValidationError, Conflict) as exc:
        print(f"error: {exc.field}: {exc.message}", file=sys.stderr)
        return 2
    except DomainError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except UnsafeDatabaseRole as exc:
        print(f"error: refusing to start: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"error: cannot reach the database ({exc})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
