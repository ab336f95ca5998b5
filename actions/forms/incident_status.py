"""Validation of the status form: it only needs the caller's email."""

from __future__ import annotations

from rasa_sdk.forms import FormValidationAction

from actions.forms.email_question import EmailQuestion


class ValidateIncidentStatusForm(EmailQuestion, FormValidationAction):
    def name(self) -> str:
        return "validate_incident_status_form"
