"""Rasa's prediction graph run in a plain loop, its order worked out once per set of targets.

Rasa runs the model's graph through dask's synchronous scheduler several times a
turn (NLU once, then once per action predicted). On every run it recomputes the
minimal schema (a recursive walk that visits shared parents again), builds a
dask graph, and has dask order and dispatch it: about 6% of the Rasa process's
CPU at 10 callers, for graphs of a dozen nodes that always run in the same order.

:class:`SequentialGraphRunner` keeps Rasa's ``GraphRunner`` contract and its
nodes (``GraphNode``, hooks and all): each node is called with its parents'
``(name, output)`` pairs, an input is ``(name, value)``, a name nothing provides
is passed as the bare name (the node then raises, as under dask), and every
node of the minimal schema runs once, parents first. Training keeps dask.
"""

from __future__ import annotations

from typing import Any

import rasa.core.processor
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner


class SequentialGraphRunner(DaskGraphRunner):
    """Rasa's ``DaskGraphRunner`` with each target set's plan kept and run in a loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # tuple(targets) -> [(node name, the names it needs, in its schema's order)]; the NLU
        # thread and the event loop may both plan a target set once: the same plan, either kept.
        self._plans: dict[tuple[str, ...], list[tuple[str, tuple[str, ...]]]] = {}

    def _plan(self, targets: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
        """The nodes the targets depend on, each after everything it needs."""
        plan = self._plans.get(targets)
        if plan is None:
            nodes, ordered, seen = self._graph_schema.nodes, [], set()

            def visit(name: str) -> None:
                if name in seen or name not in nodes:  # done, or an input
                    return
                seen.add(name)
                needs = tuple(nodes[name].needs.values())
                for parent in needs:
                    visit(parent)
                ordered.append((name, needs))

            for target in targets:
                visit(target)
            plan = self._plans[targets] = ordered
        return plan

    def run(
        self, inputs: dict[str, Any] | None = None, targets: list[str] | None = None
    ) -> dict[str, Any]:
        """Runs the graph (Rasa's ``GraphRunner.run``): ``{target: output}``."""
        wanted = tuple(targets) if targets else tuple(self._graph_schema.target_names)
        plan = self._plan(wanted)
        results: dict[str, Any] = {}
        for name, value in (inputs or {}).items():
            if isinstance(value, str) and any(value == node for node, _ in plan):
                raise GraphRunError(
                    f"Input value '{value}' clashes with a node name. Make sure that none "
                    f"of the input names passed to the `run` method are the same as node "
                    f"names in the graph schema."
                )
            results[name] = (name, value)
        try:
            for name, needs in plan:
                node = self._instantiated_nodes[name]
                results[name] = node(*(results.get(parent, parent) for parent in needs))
        except RuntimeError as error:
            raise GraphRunError("Error running runner.") from error
        return dict(results[target] for target in wanted)


def install() -> None:
    """Rasa's processor loads every model (at start and when one is activated) with it."""
    rasa.core.processor.DaskGraphRunner = SequentialGraphRunner  # type: ignore[misc]
