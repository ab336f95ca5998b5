"""Where state lives: conversations, call locks, webhook replies, hand-offs, the
ticket outbox.

Embedded by default (one SQLite file, in-memory locks); PostgreSQL and Redis
when ``TRACKER_STORE_URL`` and ``LOCK_STORE_URL`` are set. Rasa loads the
tracker and lock stores from ``rasa_bot/endpoints.yml``; the voice channel and
the action server use the same database for replies, hand-offs and the outbox.
"""
