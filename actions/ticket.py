"""What a ticket is called and how it is summed up, from what the caller said."""

from __future__ import annotations

from collections.abc import Sequence

# Problem category (slot ``problem_category``) -> the ticket's subject.
CATEGORY_SUBJECTS = {
    "password": "Password reset",
    "account": "Locked account",
    "email": "Email problem",
    "vpn": "VPN problem",
    "wifi": "Wi-Fi problem",
    "printer": "Printer problem",
    "hardware": "Hardware problem",
    "software": "Software request",
}
SHORT_DESCRIPTION_LIMIT = 160

# Slots a finished, cancelled or abandoned ticket form leaves behind.
TICKET_FORM_SLOTS = (
    "problem_category",
    "problem_description",
    "priority",
    "email",
    "confirm",
    "email_reuse_declined",
    "awaiting_correction",
)


def short_description(category: str | None, description: str) -> str:
    """The ticket's title: the category's subject, then the caller's words."""
    subject = CATEGORY_SUBJECTS.get(category or "")
    text = description.strip().rstrip(".")
    text = text[:1].upper() + text[1:]
    title = f"{subject}: {text}" if subject else text or "Phone report"
    if len(title) > SHORT_DESCRIPTION_LIMIT:
        title = title[: SHORT_DESCRIPTION_LIMIT - 3].rstrip() + "..."
    return title


def spoken_subject(category: str | None) -> str:
    """How the summary names the ticket: "a VPN problem" or "a ticket"."""
    subject = CATEGORY_SUBJECTS.get(category or "")
    if not subject:
        return "a ticket"
    first, _, rest = subject.partition(" ")
    if not first.isupper():  # keep acronyms such as VPN as they are
        first = first.lower()
    article = "an" if first[0].lower() in "aeio" else "a"
    return f"{article} {' '.join(filter(None, [first, rest]))}"


def full_description(
    description: str,
    *,
    email: str | None,
    caller_phone: str | None,
    matched_accounts: Sequence[str],
) -> str:
    """The ticket body: the caller's words plus what the desk needs to call back."""
    lines = [description.strip(), "", "Reported to the voice assistant by phone."]
    if caller_phone:
        lines.append(f"Caller's phone: {caller_phone}")
    if email:
        lines.append(f"Caller's email: {email}")
    if len(matched_accounts) > 1:
        lines.append(
            f"The email matches {len(matched_accounts)} accounts; please link the right caller."
        )
    return "\n".join(lines)
