"""The project's own tables, beside Rasa's in the tracker store's database."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

# The answer given to each Twilio webhook request, so a retry gets the same one.
voice_replies = sa.Table(
    "voice_replies",
    metadata,
    sa.Column("request_key", sa.String(128), primary_key=True),
    sa.Column("call_sid", sa.String(64), nullable=False, index=True),
    sa.Column("twiml", sa.Text, nullable=True),  # NULL while the turn runs
    sa.Column("started_at", sa.Float, nullable=False),
    sa.Column("answered_at", sa.Float, nullable=True),
)

# Confirmed ticket requests, written before ServiceNow is called.
ticket_outbox = sa.Table(
    "ticket_outbox",
    metadata,
    sa.Column("correlation_id", sa.String(128), primary_key=True),
    sa.Column("call_sid", sa.String(64), nullable=False, index=True),
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
handoffs = sa.Table(
    "handoffs",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("caller_sid", sa.String(64), nullable=False, index=True),
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
