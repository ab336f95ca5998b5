"""What the agent learns before taking a transferred call, and the transcript."""

from __future__ import annotations

from rasa_sdk import Tracker

from actions.ticket import CATEGORY_SUBJECTS, spoken_subject

TRANSCRIPT_LIMIT = 60  # lines; a ticket note stays readable


def summary(tracker: Tracker) -> str:
    """One spoken paragraph: who calls, what they want, what is done."""
    parts: list[str] = []
    phone = tracker.get_slot("caller_phone")
    email = tracker.get_slot("known_email") or tracker.get_slot("email")
    who = "The caller"
    if phone:
        who += f" is calling from {phone}"
    if email:
        who += f"{',' if phone else ''} email {email}"
    parts.append(who + ".")
    category = tracker.get_slot("problem_category")
    subject = spoken_subject(category) if category in CATEGORY_SUBJECTS else None
    description = tracker.get_slot("problem_description")
    if subject and description:
        parts.append(f"They need help with {subject}: {description}.")
    elif subject:
        parts.append(f"They need help with {subject}.")
    elif description:
        parts.append(f"They said: {description}.")
    else:
        # The latest words are the request for a person; what came before is the need.
        said = [text for speaker, text in transcript_lines(tracker) if speaker == "Caller"][:-1]
        if said:
            parts.append(f"Before asking for a person they said: {said[-1]}.")
        else:
            parts.append("They asked for a person straight away.")
    number = tracker.get_slot("incident_number")
    if number:
        parts.append(f"Incident {number} was opened during the call.")
    return " ".join(parts)


def transcript_lines(tracker: Tracker) -> list[tuple[str, str]]:
    """(speaker, words) for the call so far; key presses shown as such."""
    lines: list[tuple[str, str]] = []
    for event in tracker.events:
        kind = event.get("event")
        if kind == "user" and event.get("text"):
            text = str(event["text"])
            lines.append(("Caller", "(pressed a key)" if text.startswith("/") else text))
        elif kind == "bot" and event.get("text"):
            lines.append(("Assistant", str(event["text"])))
    return lines[-TRANSCRIPT_LIMIT:]


def transcript(tracker: Tracker) -> str:
    return "\n".join(f"{speaker}: {text}" for speaker, text in transcript_lines(tracker))


def work_note(tracker: Tracker) -> str:
    return (
        "The voice assistant transferred this caller to an agent.\n\n"
        f"Summary: {summary(tracker)}\n\nTranscript:\n{transcript(tracker)}"
    )
