"""The hand-off to a person: ring, whisper, accept or decline, back to the assistant.

The action server only decides: ``action_handoff`` checks business hours and
the agent list (``business_hours``), puts the transcript in ServiceNow and ends
its turn with a ``HandoffRequest`` payload (``request``): "hand off, with this
summary". Everything that touches Twilio happens in the Rasa process, which
already receives Twilio's webhooks and holds the REST client: the voice channel
hands the request to ``switchboard.Switchboard``, which keeps one ``Handoff``
record per hand-off (``record``, stored in the tracker database by
``stores.handoffs`` so every replica sees it), rings the agents one by one,
whispers the summary (``twiml``), joins the one who presses 1, and sends the
caller back to the assistant when nobody does. The console's take-over is the
same path with one phone to ring.
"""
