"""Names the voice channel and the actions share with ``rasa_bot/domain.yml``.

A renamed intent, slot or response must change here and in the domain together;
``tests/unit/test_contract.py`` checks every name against the domain.
"""

from __future__ import annotations

# Intents the channel sends on the caller's behalf (never parsed from speech).
INTENT_REQUEST_HUMAN = "request_human"  # key 0, or too many misunderstandings
INTENT_HANDOFF_FAILED = "handoff_failed"  # no agent took the call
INTENT_AFFIRM = "affirm"
INTENT_DENY = "deny"

# Entities the channel sends with those intents.
ENTITY_AGENT_NUMBER = "agent_number"  # request_human from a take-over: ring only this phone
ENTITY_HANDOFF_OUTCOME = "handoff_outcome"  # handoff_failed: why no agent took the call
OUTCOME_NO_AGENT = "no_agent"  # every agent declined, was busy or did not answer
OUTCOME_UNREACHABLE = "unreachable"  # Twilio could not place the call

# Responses and actions the channel runs or recognises.
RESPONSE_GREETING = "utter_greet"
ACTION_FALLBACK = "action_fallback"

# Slots the channel reads.
SLOT_REQUESTED = "requested_slot"
SLOT_INCIDENT_NUMBER = "incident_number"

# Custom payload keys of bot messages that the phone acts on.
PAYLOAD_HANGUP = "hangup"
# {"handoff": {"summary": "...", "agents": ["+1..."]}}: put the caller through to a
# person (handoff.request.HandoffRequest); no agents means the configured ones.
PAYLOAD_HANDOFF = "handoff"
HANDOFF_SUMMARY = "summary"
HANDOFF_AGENTS = "agents"
# {"keypad": {"finish_on_key": "#"}}: the question takes several keys (an employee number).
PAYLOAD_KEYPAD = "keypad"

# Session metadata keys the channel sends when a call starts.
METADATA_CALL_SID = "call_sid"
METADATA_FROM = "from"
METADATA_TO = "to"

INTENTS = (INTENT_REQUEST_HUMAN, INTENT_HANDOFF_FAILED, INTENT_AFFIRM, INTENT_DENY)
RESPONSES = (RESPONSE_GREETING,)
ACTIONS = (ACTION_FALLBACK,)
ENTITIES = (ENTITY_AGENT_NUMBER, ENTITY_HANDOFF_OUTCOME)
SLOTS = (SLOT_INCIDENT_NUMBER,)  # requested_slot is Rasa's own
