"""Hand-off to a person.

With no agent line configured (``HANDOFF_AGENT_NUMBERS`` empty) no call is
placed: the caller is offered a ticket with everything said so far instead, and
the answers of an interrupted form are kept for it.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.ask_questions import YES_NO_BUTTONS


class ActionHandoff(Action):
    def name(self) -> str:
        return "action_handoff"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(
            text="I can't put you through to a person right now. "
            "I can open a ticket with what you've told me, "
            "and the service desk will get back to you. Shall I do that?",
            buttons=YES_NO_BUTTONS,
        )
        events: list[dict[str, Any]] = []
        if tracker.active_loop_name:
            events += [ActiveLoop(None), SlotSet("requested_slot", None)]
        return events
