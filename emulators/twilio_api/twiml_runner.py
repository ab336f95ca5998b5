"""Runs TwiML on an emulated phone: what the callee hears, which keys it presses, where it goes.

The one TwiML interpreter: agents' legs and callers' legs both run here. The
verbs the product sends: ``<Say>`` (the text is recorded as heard),
``<Gather>`` (nested ``<Say>``; the phone answers, by keys or speech, or stays
silent; ``action`` and ``actionOnEmptyResult`` as Twilio reads them, the rest
up to the phone; requests are always POSTs), ``<Redirect>``, ``<Dial><Conference>`` (the
leg stays in the conference until it ends, then the document goes on) and
``<Hangup/>``. Other verbs are recorded as errors and skipped. The end of the
last document ends the call.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from .calls import Leg

if TYPE_CHECKING:
    from .network import Network

MAX_DOCUMENTS = 25
APPLICATION_ERROR = "We are sorry, an application error has occurred. Goodbye."


@dataclass(frozen=True)
class Goto:
    """Go on with another document fetched from ``url`` (None: inline TwiML)."""

    document: str
    url: str | None


class _Stop:
    """The call is over."""


STOP = _Stop()
NEXT = None  # go on with the next verb of the same document


def spoken(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


def flag(element: ET.Element, name: str, default: bool) -> bool:
    raw = element.get(name)
    return default if raw is None else raw.strip().lower() == "true"


def seconds(element: ET.Element, name: str, default: float) -> float:
    try:
        return max(float(element.get(name, default)), 0.0)
    except ValueError:
        return default


class TwimlRunner:
    """Plays the documents of one leg until the call ends (or the task is cancelled)."""

    def __init__(self, call: Leg, services: Network) -> None:
        self.call = call
        self.services = services

    async def run(self, document: str, url: str | None) -> None:
        """Run ``document`` (fetched from ``url``, if any) and every document it leads to."""
        step: Goto | _Stop = Goto(document, url)
        for _ in range(MAX_DOCUMENTS):
            if not isinstance(step, Goto):
                return
            step = await self._document(step.document, step.url)
        self.call.errors.append(f"more than {MAX_DOCUMENTS} documents in a row; call ended")

    async def _document(self, document: str, url: str | None) -> Goto | _Stop:
        try:
            root = ET.fromstring(document)  # noqa: S314 - TwiML from the application under test
        except ET.ParseError as problem:
            return self._fail(f"12100 document is not XML: {problem}")
        if root.tag != "Response":
            return self._fail(f"12100 root element is <{root.tag}>, not <Response>")
        for verb in root:
            step = await self._verb(verb, url)
            if step is not NEXT:
                return step
        return STOP

    async def _verb(self, verb: ET.Element, url: str | None) -> Goto | _Stop | None:
        tag = verb.tag
        if tag == "Say":
            self.call.heard.append(spoken(verb))
        elif tag == "Gather":
            return await self._gather(verb, url)
        elif tag == "Redirect":
            return await self._goto(url, (verb.text or "").strip(), {})
        elif tag == "Dial":
            return await self._dial(verb, url)
        elif tag == "Hangup":
            return STOP
        else:
            self.call.errors.append(f"<{tag}> is not emulated; skipped")
        return NEXT

    async def _gather(self, verb: ET.Element, url: str | None) -> Goto | _Stop | None:
        for nested in verb:
            if nested.tag == "Say":
                self.call.heard.append(spoken(nested))
            else:
                self.call.errors.append(f"<{nested.tag}> is not allowed in <Gather>; skipped")
        answer = await self.services.gather(self.call, verb)
        if answer:
            if answer.get("Digits"):
                self.call.digits.append(answer["Digits"])
            return await self._goto(url, verb.get("action") or "", answer)
        if flag(verb, "actionOnEmptyResult", False):
            return await self._goto(url, verb.get("action") or "", {"Digits": ""})
        return NEXT  # Twilio goes on after the <Gather>

    async def _dial(self, verb: ET.Element, url: str | None) -> Goto | _Stop | None:
        conference = verb.find("Conference")
        if conference is None:
            self.call.errors.append("only <Dial><Conference> is emulated; <Dial> skipped")
            return NEXT
        name = (conference.text or "").strip()
        if not name:
            return self._fail("12100 <Conference> has no name")
        participant = self.services.join(
            self.call,
            name,
            flag(conference, "startConferenceOnEnter", True),
            flag(conference, "endConferenceOnExit", False),
        )
        await participant.gone.wait()
        return NEXT

    async def _goto(self, url: str | None, target: str, extra: dict[str, str]) -> Goto | _Stop:
        """Request ``target`` (relative to the current document) and go on with its TwiML."""
        absolute = urljoin(url or "", target) if target else url
        if not absolute or not absolute.startswith(("http://", "https://")):
            return self._fail(f"11100 no absolute URL to request (got {target!r})")
        document = await self.services.fetch(self.call, absolute, extra)
        return STOP if document is None else Goto(document, absolute)

    def _fail(self, problem: str) -> _Stop:
        self.call.errors.append(problem)
        self.call.heard.append(APPLICATION_ERROR)
        return STOP
