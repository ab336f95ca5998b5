"""Rasa Core's dialogue side as calls use it, installed into Rasa by :func:`install`:

* :mod:`dialogue.states`: the policies' dialogue states, kept per conversation;
* :mod:`dialogue.rule_keys`: the rule lookup, over the states a rule can reach;
* :mod:`dialogue.graph_runner`: the model's graph, run in a plain loop.

Each gives what stock Rasa gives (``tests/integration/test_graph_runner.py``
predicts random conversations both ways).
"""

from __future__ import annotations

from dialogue import graph_runner, rule_keys, states


def install() -> states.DialogueStates:
    """Installs all three (the voice channel, ``python -m dialogue``); returns the kept states."""
    graph_runner.install()
    rule_keys.install()
    return states.install()
