"""The project's own tables, beside Rasa's in the tracker store's database."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()


def _call_table(name: str, key: str, call_column: str, *columns: sa.Column) -> sa.Table:
    """A table of rows that each belong to one call, found by the call's SID."""
    return sa.Table(
        name,
        metadata,
        sa.Column(key, sa.String(128), primary_key=True),
        sa.Column(call_column, sa.String(64), nullable=False, index=True),
        *columns,
    )


# The answer given to each Twilio webhook request, so a retry gets the same one.
voice_replies = _call_table(
    "voice_replies",
    "request_key",
    "call_sid",
    sa.Column("twiml", sa.Text, nullable=True),  # NULL while the turn runs
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("answered_at", sa.Float, nullable=True),
)

# Confirmed ticket requests, written before ServiceNow is called.
ticket_outbox = _call_table(
    "ticket_outbox",
    "correlation_id",
    "call_sid",
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, index=True),  # pending, filed, rejected
    sa.Column("incident_number", sa.String(32), nullable=True),
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("next_attempt_at", sa.Float, nullable=False),
    sa.Column("claimed_until", sa.Float, nullable=False, default=0.0),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("filed_at", sa.Float, nullable=True),
)

# One row per hand-off to a person (handoff.record.Handoff), owned by handoff.switchboard.
handoffs = _call_table(
    "handoffs",
    "id",
    "caller_sid",
    sa.Column("summary", sa.Text, nullable=False),
    sa.Column("agents", sa.Text, nullable=False),  # JSON list of phone numbers
    sa.Column("attempt", sa.Integer, nullable=False),
    sa.Column("stage", sa.String(16), nullable=False),  # ringing, offered, connected, returned
    sa.Column("outcome", sa.String(16), nullable=True),  # why it returned
    sa.Column("created_at", sa.Float, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)


def create_tables(engine: sa.engine.Engine) -> None:
    metadata.create_all(engine, checkfirst=True)
