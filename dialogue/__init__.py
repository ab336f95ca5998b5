"""Rasa Core's dialogue side as calls use it, installed into Rasa by :func:`install`:

* :mod:`dialogue.states`: the policies' dialogue states, kept per conversation;
* :mod:`dialogue.graph_runner`: the model's graph, run in a plain loop.

Each gives what stock Rasa gives (``tests/integration/test_predictions_as_stock_rasa.py``
predicts random conversations both ways).
"""

from __future__ import annotations

from dialogue import graph_runner, states


def install() -> states.DialogueStates:
    """Installs both (the voice channel, ``python -m dialogue``); returns the kept states."""
    graph_runner.install()
    return states.install()
