"""Table definitions (SQLAlchemy Core) the repositories query; the migrations build the same schema."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.db.types import Attachments, Id, Json, Seq, UtcDateTime

metadata = sa.MetaData(
    naming_convention={
        "pk": "pk_%(table_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
    }
)

TENANT_TABLES: tuple[str, ...] = (
    "users",
    "accounts",
    "transactions",
    "budgets",
    "budget_crossings",
    "audit_log",
    "outbox",
    "inbox",
    "outbound_messages",
    "admin_audit",
    "merchants",
    "imports",
    "recurring_rules",
    "goals",
    "households",
    "household_members",
    "household_shares",
    "card_links",
    "notice_trust",
)
"""Tables holding one tenant's data: each has tenant_id and, on PostgreSQL, Row-Level Security."""


def _tenant_id() -> sa.Column[object]:
    return sa.Column("tenant_id", Id, sa.ForeignKey("tenants.id"), nullable=False)


def _created_at() -> sa.Column[object]:
    return sa.Column("created_at", UtcDateTime, nullable=False, server_default=sa.func.current_timestamp())


# Composite foreign keys (tenant_id, x_id) -> parent (tenant_id, id) make a row pointing at another
# tenant's user, account, transaction or budget impossible, whatever the application asks for.
tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", Id, primary_key=True),
    sa.Column("slug", sa.String(64), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("locale", sa.String(32), nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("policy", sa.String(16), nullable=False),
    sa.Column("settings", Json, nullable=False),
    _created_at(),
)

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("phone", sa.String(32), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("language", sa.String(8), nullable=False),
    sa.Column("locale", sa.String(32), nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False),
    sa.Column("opted_out", Json, nullable=False),
    sa.Column("last_inbound_at", Json, nullable=False),
    _created_at(),
    # NULL: the week starts as the user's locale says (domain.periods.user_week_start).
    sa.Column("week_start", sa.String(16), nullable=True),
    # Migration 0015: "22:00-08:00" in the user's zone, "off", or NULL for the tenant's (domain/quiet.py).
    sa.Column("quiet_hours", sa.String(16), nullable=True),
    # Migration 0015: false after "stop budget alerts": crossings are recorded, not pushed.
    sa.Column("budget_alerts", sa.Boolean, nullable=False, server_default=sa.true()),
    # Migration 0018: the weekly digest's weekday (0 = Monday) in the user's zone, NULL when they get none;
    # and its hour (default 18:00).
    sa.Column("digest_weekday", sa.SmallInteger, nullable=True),
    sa.Column("digest_hour", sa.SmallInteger, nullable=False, server_default=sa.text("18")),
    sa.CheckConstraint(
        "digest_weekday IS NULL OR digest_weekday BETWEEN 0 AND 6", name="digest_weekday_in_range"
    ),
    sa.CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour_in_range"),
    sa.UniqueConstraint("tenant_id", "phone"),
    sa.UniqueConstraint("tenant_id", "id"),
)

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("opening_balance_minor", sa.BigInteger, nullable=False),
    sa.Column("is_default", sa.Boolean, nullable=False),
    _created_at(),
    # Migration 0013: a shared account of this household (NULL: the user's own).
    sa.Column("household_id", Id, nullable=True),
    # Migration 0017: warn when the balance goes under this (account currency, minor units); warned once
    # until it recovers.
    sa.Column("low_balance_minor", sa.BigInteger, nullable=True),
    sa.Column("low_balance_warned", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "household_id"], ["households.tenant_id", "households.id"]),
    sa.UniqueConstraint("tenant_id", "id"),
    sa.Index("ix_accounts_household", "tenant_id", "household_id"),
    # One default account per user: a partial unique index (PostgreSQL and SQLite both have them).
    sa.Index(
        "uq_accounts_default",
        "tenant_id",
        "user_id",
        unique=True,
        postgresql_where=sa.text("is_default"),
        sqlite_where=sa.text("is_default"),
    ),
)

transactions = sa.Table(
    "transactions",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=True),
    sa.Column("id", Id, nullable=False, unique=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("account_id", Id, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("occurred_on", sa.Date, nullable=False),
    sa.Column("merchant", sa.String(200), nullable=True),
    # casefold()ed merchant, computed in Python: SQLite's lower() only folds ASCII ("São" != "SÃO"),
    # so case-insensitive matching and grouping use this column on both dialects.
    sa.Column("merchant_key", sa.String(200), nullable=True),
    sa.Column("category", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("source_ref", sa.String(200), nullable=True),
    _created_at(),
    sa.Column("deleted_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    sa.UniqueConstraint("tenant_id", "id"),
    # Idempotency: one source message / API key can never produce two transactions (NULL refs are free).
    sa.UniqueConstraint("tenant_id", "source", "source_ref"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint("kind IN ('expense', 'income')", name="kind"),
    sa.Index("ix_transactions_user_day", "tenant_id", "user_id", "occurred_on"),
    sa.Index("ix_transactions_user_category_day", "tenant_id", "user_id", "category", "occurred_on"),
    sa.Index("ix_transactions_user_merchant", "tenant_id", "user_id", "merchant_key"),
    # Migration 0005: the two legs of a transfer between accounts share a transfer_id (an expense out of
    # one, an income into the other); they move balances but are not spending or earning.
    sa.Column("transfer_id", Id, nullable=True),
    sa.Index("ix_transactions_transfer", "tenant_id", "transfer_id"),
    # The admin listing's keyset (newest day, then newest row) across the tenant's users.
    sa.Index("ix_transactions_tenant_day_seq", "tenant_id", "occurred_on", "seq"),
    # Migration 0013: household spending (a shared account's, or counted by a shared budget), which every
    # member of the household sees; NULL: personal.
    sa.Column("household_id", Id, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "household_id"], ["households.tenant_id", "households.id"]),
    sa.Index("ix_transactions_household_day", "tenant_id", "household_id", "occurred_on"),
)

ALL_SPENDING = "*"
"""budgets.scope for a budget on all spending (category NULL): a NULL would defeat the unique constraint."""

budgets = sa.Table(
    "budgets",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("category", sa.String(64), nullable=True),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("recurrence", sa.String(16), nullable=False),
    sa.Column("thresholds", Json, nullable=False),
    _created_at(),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.UniqueConstraint("tenant_id", "id"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    # Migration 0013: a household's shared budget (user_id is who set it); NULL: personal. One budget per
    # scope and recurrence per person, and one per household.
    sa.Column("household_id", Id, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "household_id"], ["households.tenant_id", "households.id"]),
    sa.Index(
        "uq_budgets_personal",
        "tenant_id",
        "user_id",
        "scope",
        "recurrence",
        unique=True,
        postgresql_where=sa.text("household_id IS NULL"),
        sqlite_where=sa.text("household_id IS NULL"),
    ),
    sa.Index(
        "uq_budgets_shared",
        "tenant_id",
        "household_id",
        "scope",
        "recurrence",
        unique=True,
        postgresql_where=sa.text("household_id IS NOT NULL"),
        sqlite_where=sa.text("household_id IS NOT NULL"),
    ),
)

budget_crossings = sa.Table(
    "budget_crossings",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("budget_id", Id, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("threshold", sa.Integer, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.ForeignKeyConstraint(
        ["tenant_id", "budget_id"], ["budgets.tenant_id", "budgets.id"], ondelete="CASCADE"
    ),
    # The alert-once guarantee: concurrent crossers race on this constraint and exactly one wins.
    sa.UniqueConstraint("budget_id", "period_start", "threshold"),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("transaction_id", Id, nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("before", Json, nullable=False),
    sa.Column("after", Json, nullable=False),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "transaction_id"], ["transactions.tenant_id", "transactions.id"]),
    sa.Index("ix_audit_log_transaction", "tenant_id", "transaction_id"),
    sa.Index("ix_audit_log_user_at", "tenant_id", "user_id", "at"),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", Seq, primary_key=True, autoincrement=True),
    _tenant_id(),
    sa.Column("event_type", sa.String(64), nullable=False),
    sa.Column("payload", Json, nullable=False),
    _created_at(),
    sa.Column("processed_at", UtcDateTime, nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Index(
        "ix_outbox_pending",
        "tenant_id",
        "id",
        postgresql_where=sa.text("processed_at IS NULL"),
        sqlite_where=sa.text("processed_at IS NULL"),
    ),
    # Migration 0005: what the alert dispatcher did with the event ("sent", "failed", a skip reason such as
    # "told_in_reply", "gave_up_error"), for the operators' alert history; NULL while pending.
    sa.Column("outcome", sa.String(32), nullable=True),
    # The event's public id (the admin API's ids are UUIDs, and a sequence number would tell how busy the
    # other tenants are); NULL only for events that are not alerts stored before migration 0005.
    sa.Column("event_id", Id, nullable=True),
    sa.Index("uq_outbox_tenant_event", "tenant_id", "event_id", unique=True),
    # The alert history's keyset: one tenant's events of one type, newest first.
    sa.Index("ix_outbox_tenant_type_id", "tenant_id", "event_type", "id"),
    # Migration 0016: a push that failed with a retryable error waits until then (backoff); NULL: now.
    sa.Column("next_attempt_at", UtcDateTime, nullable=True),
    # No RETURNING of the new ids (nothing reads them back): a member's write emits events for other members
    # (a house alert, an invitation), which the member may not read (migration 0014), and PostgreSQL applies
    # the SELECT policy to the rows an INSERT returns.
    implicit_returning=False,
)


# Messaging (migration 0002). channel_endpoints is part of the directory: an inbound webhook is routed to
# its tenant by the number it was sent to (or Meta's phone_number_id) before any tenant is known, so,
# like tenants, it has no RLS.
channel_endpoints = sa.Table(
    "channel_endpoints",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("provider", sa.String(16), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    _created_at(),
    sa.UniqueConstraint("provider", "address"),
    sa.CheckConstraint("provider IN ('twilio', 'meta')", name="provider"),
    sa.Index("ix_channel_endpoints_tenant", "tenant_id"),
)

inbox = sa.Table(
    "inbox",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("provider_message_id", sa.String(128), nullable=False),
    sa.Column("sender", sa.String(32), nullable=False),
    sa.Column("recipient", sa.String(64), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("received_at", UtcDateTime, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("claimed_at", UtcDateTime, nullable=True),
    sa.Column("reply_text", sa.Text, nullable=True),
    sa.Column("processed_at", UtcDateTime, nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    # Migration 0004: what a retry needs to rebuild the message, and the claim protocol. A claim is a
    # token (every write of the claimant checks it) and a lease the claimant's heartbeat renews; a
    # "processing" row whose lease ran out belongs to a processor that died, and is claimed again.
    sa.Column("provider", sa.String(16), nullable=False, server_default=sa.text("'twilio'")),
    sa.Column("media_count", sa.Integer, nullable=False, server_default=sa.text("0")),
    sa.Column("profile_name", sa.String(200), nullable=True),
    sa.Column("claim_token", sa.String(32), nullable=True),
    sa.Column("lease_until", UtcDateTime, nullable=True),
    sa.Column("not_before", UtcDateTime, nullable=True),
    sa.Column("deferred_at", UtcDateTime, nullable=True),
    # Migration 0020: the attachments' references (a receipt photo), so a retry can still download them.
    sa.Column("media", Attachments, nullable=True),
    # The dedupe key is the provider's id alone: Twilio may post one MessageSid with and without the
    # "whatsapp:" prefix, which would otherwise read as two channels and two messages.
    sa.UniqueConstraint("tenant_id", "provider_message_id"),
    sa.UniqueConstraint("tenant_id", "id"),
    sa.CheckConstraint("status IN ('pending', 'processing', 'done', 'failed', 'dropped')", name="status"),
    sa.Index(
        "ix_inbox_open",
        "tenant_id",
        "received_at",
        postgresql_where=sa.text("status IN ('pending', 'processing')"),
        sqlite_where=sa.text("status IN ('pending', 'processing')"),
    ),
    # Migration 0003: a push goes where the user last wrote from, the newest row of theirs.
    sa.Index("ix_inbox_sender_received", "tenant_id", "sender", "received_at"),
    # Migration 0007: a sender's messages held for the worker, looked up before each new message.
    sa.Index(
        "ix_inbox_pending_sender",
        "tenant_id",
        "sender",
        postgresql_where=sa.text("status = 'pending'"),
        sqlite_where=sa.text("status = 'pending'"),
    ),
)

outbound_messages = sa.Table(
    "outbound_messages",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("inbox_id", Id, nullable=True),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("recipient", sa.String(32), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("provider", sa.String(16), nullable=False),
    sa.Column("provider_message_id", sa.String(128), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    _created_at(),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "inbox_id"], ["inbox.tenant_id", "inbox.id"]),
    sa.CheckConstraint(
        "status IN ('queued', 'sent', 'delivered', 'read', 'failed', 'undelivered')", name="status"
    ),
    # Status callbacks find the message by the provider's id.
    sa.Index("ix_outbound_messages_provider_message", "provider", "provider_message_id"),
    # Migration 0005: the outbox event (a budget alert) a push delivered; NULL for chat replies.
    sa.Column("outbox_id", sa.BigInteger, nullable=True),
    sa.Index("ix_outbound_messages_outbox", "tenant_id", "outbox_id"),
    # The conversation log: one recipient's messages by time.
    sa.Index("ix_outbound_messages_recipient_created", "tenant_id", "recipient", "created_at"),
    # Migration 0019: a TwiML reply's first status callback finds its row by the inbound message it answers.
    sa.Index("ix_outbound_messages_inbox", "tenant_id", "inbox_id"),
    # Migration 0019: the worker's SMS fallback pass (bot/fallback.py) looks only at failed WhatsApp pushes.
    sa.Index(
        "ix_outbound_messages_failed_pushes",
        "tenant_id",
        "updated_at",
        postgresql_where=sa.text(
            "outbox_id IS NOT NULL AND channel = 'whatsapp' AND status IN ('failed', 'undelivered')"
        ),
        sqlite_where=sa.text(
            "outbox_id IS NOT NULL AND channel = 'whatsapp' AND status IN ('failed', 'undelivered')"
        ),
    ),
    # Migration 0018: the WhatsApp message (failed for good) this SMS was sent in place of; one per message.
    sa.Column("fallback_for", Id, nullable=True),
    # Migration 0020: the public URL of the image sent with the message (a chart).
    sa.Column("media_url", sa.Text, nullable=True),
    sa.Index(
        "uq_outbound_messages_fallback",
        "tenant_id",
        "fallback_for",
        unique=True,
        postgresql_where=sa.text("fallback_for IS NOT NULL"),
        sqlite_where=sa.text("fallback_for IS NOT NULL"),
    ),
)


# The admin API (migration 0005). api_keys belongs to the directory like tenants: a request's key is looked
# up before its tenant is known, so it has no RLS; only its hash is stored.
api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("prefix", sa.String(16), nullable=False, unique=True),
    sa.Column("key_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    _created_at(),
    sa.Column("revoked_at", UtcDateTime, nullable=True),
    sa.CheckConstraint("role IN ('admin', 'viewer')", name="role"),
    sa.Index("ix_api_keys_tenant", "tenant_id"),
)

admin_audit = sa.Table(
    "admin_audit",
    metadata,
    sa.Column("seq", Seq, primary_key=True, autoincrement=True),
    sa.Column("id", Id, nullable=False, unique=True),
    _tenant_id(),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("entity", sa.String(32), nullable=False),
    sa.Column("entity_id", sa.String(64), nullable=True),
    sa.Column("before", Json, nullable=True),
    sa.Column("after", Json, nullable=True),
    sa.Column("at", UtcDateTime, nullable=False),
    sa.Index("ix_admin_audit_tenant_seq", "tenant_id", "seq"),
    sa.Index("ix_admin_audit_entity", "tenant_id", "entity", "entity_id"),
)

merchants = sa.Table(
    "merchants",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_key", sa.String(200), nullable=False),
    sa.Column("aliases", Json, nullable=False),
    sa.Column("category", sa.String(64), nullable=True),
    _created_at(),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.UniqueConstraint("tenant_id", "name_key"),
)

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("account_id", Id, nullable=False),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("file_hash", sa.String(64), nullable=False),
    sa.Column("lines", sa.Integer, nullable=False),
    sa.Column("recorded", sa.Integer, nullable=False),
    _created_at(),
    sa.ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    sa.UniqueConstraint("tenant_id", "account_id", "file_hash"),
)

recurring_rules = sa.Table(
    "recurring_rules",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("account_id", Id, nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("cadence", sa.String(16), nullable=False),
    sa.Column("anchor", sa.SmallInteger, nullable=False),
    sa.Column("next_due", sa.Date, nullable=False),
    sa.Column("merchant", sa.String(200), nullable=True),
    sa.Column("category", sa.String(64), nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    _created_at(),
    sa.Column("cancelled_at", UtcDateTime, nullable=True),
    # Migration 0018: a bill (rent, a phone plan): reminded the day before it is due unless paid early.
    sa.Column("bill", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    sa.UniqueConstraint("tenant_id", "id"),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint("cadence IN ('weekly', 'monthly')", name="cadence_known"),
    sa.CheckConstraint(
        "(cadence = 'weekly' AND anchor BETWEEN 0 AND 6) "
        "OR (cadence = 'monthly' AND anchor BETWEEN 1 AND 31)",
        name="anchor_in_range",
    ),
    # The worker's claim: active rules by due day.
    sa.Index(
        "ix_recurring_rules_due", "tenant_id", "next_due", postgresql_where=sa.text("cancelled_at IS NULL")
    ),
)

goals = sa.Table(
    "goals",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("target_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("target_date", sa.Date, nullable=True),
    sa.Column("account_id", Id, nullable=False),
    _created_at(),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    sa.UniqueConstraint("tenant_id", "id"),
    sa.UniqueConstraint("tenant_id", "account_id"),
    sa.CheckConstraint("target_minor > 0", name="target_positive"),
)


# Households (migration 0013).
households = sa.Table(
    "households",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("name", sa.String(60), nullable=False),
    sa.Column("created_by", Id, nullable=True),
    _created_at(),
    sa.Column("closed_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "created_by"], ["users.tenant_id", "users.id"]),
    sa.UniqueConstraint("tenant_id", "id"),
)

household_members = sa.Table(
    "household_members",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("household_id", Id, nullable=False),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    # What the inviter called them ("my wife", "mi roomie"): how the chat names them to the inviter.
    sa.Column("label", sa.String(60), nullable=True),
    sa.Column("invited_by", Id, nullable=True),
    _created_at(),
    sa.Column("updated_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "household_id"], ["households.tenant_id", "households.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.CheckConstraint("role IN ('owner', 'member')", name="role"),
    sa.CheckConstraint("status IN ('invited', 'active', 'declined', 'left', 'removed')", name="status"),
    sa.Index(
        "uq_household_members_active_user",
        "tenant_id",
        "user_id",
        unique=True,
        postgresql_where=sa.text("status = 'active'"),
        sqlite_where=sa.text("status = 'active'"),
    ),
    sa.Index(
        "uq_household_members_open",
        "tenant_id",
        "household_id",
        "user_id",
        unique=True,
        postgresql_where=sa.text("status IN ('invited', 'active')"),
        sqlite_where=sa.text("status IN ('invited', 'active')"),
    ),
)

household_shares = sa.Table(
    "household_shares",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("household_id", Id, nullable=False),
    # The split expense ("share") or NULL for a settlement, which moves no money of the ledger's own.
    sa.Column("transaction_id", Id, nullable=True),
    sa.Column("creditor_id", Id, nullable=False),
    sa.Column("debtor_id", Id, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.CHAR(3), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("source_ref", sa.String(200), nullable=True),
    _created_at(),
    sa.Column("deleted_at", UtcDateTime, nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "household_id"], ["households.tenant_id", "households.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "transaction_id"], ["transactions.tenant_id", "transactions.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "creditor_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "debtor_id"], ["users.tenant_id", "users.id"]),
    sa.CheckConstraint("amount_minor > 0", name="amount_positive"),
    sa.CheckConstraint("creditor_id <> debtor_id", name="two_people"),
    sa.CheckConstraint("kind IN ('share', 'settlement')", name="kind"),
    sa.UniqueConstraint("tenant_id", "source_ref", "debtor_id"),
    sa.Index("ix_household_shares_household", "tenant_id", "household_id"),
    sa.Index("ix_household_shares_transaction", "tenant_id", "transaction_id"),
)

# Forwarded notices (migration 0013): a card's last digits -> the user's account, and the notice formats a
# user said to record without asking ("always record these").
card_links = sa.Table(
    "card_links",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("last_digits", sa.String(8), nullable=False),
    sa.Column("account_id", Id, nullable=False),
    _created_at(),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.ForeignKeyConstraint(["tenant_id", "account_id"], ["accounts.tenant_id", "accounts.id"]),
    sa.UniqueConstraint("tenant_id", "user_id", "last_digits"),
)

notice_trust = sa.Table(
    "notice_trust",
    metadata,
    sa.Column("id", Id, primary_key=True),
    _tenant_id(),
    sa.Column("user_id", Id, nullable=False),
    sa.Column("source", sa.String(64), nullable=False),
    _created_at(),
    sa.ForeignKeyConstraint(["tenant_id", "user_id"], ["users.tenant_id", "users.id"]),
    sa.UniqueConstraint("tenant_id", "user_id", "source"),
)
