"""``make chaos``: every ticket-filing failure scenario against a stack of its own.

Prints one table (scenario, incidents expected and created, what the caller
heard, the longest request) and exits non-zero if any scenario went wrong.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from chaos.scenarios import SCENARIOS, Timing, table
from stack.isolated import isolated_stack


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stores", choices=("embedded", "postgres"), default="embedded")
    args = parser.parse_args()
    timing = Timing()
    overrides = {
        "TICKET_SETTLE_SECONDS": str(timing.settle_seconds),
        "SNOW_TIMEOUT_SECONDS": str(timing.client_timeout_seconds),
    }
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="helpdesk-chaos-") as folder:
        with isolated_stack(
            Path(folder), name="chaos", stores=args.stores, overrides=overrides
        ) as stack:
            for name, scenario in SCENARIOS.items():
                print(f"running {name} ...", flush=True)
                outcomes.append(scenario(stack, timing))
                stack.servicenow.set_fault("none")
    print()
    print(table(outcomes))
    for outcome in outcomes:
        for problem in outcome.problems:
            print(f"PROBLEM in {outcome.scenario}: {problem}")
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
