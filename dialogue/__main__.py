"""``python -m dialogue <rasa arguments>``: Rasa's command line, predicting as calls are predicted.

The voice channel installs the kept dialogue states (:mod:`dialogue.states`) and
the sequential graph runner (:mod:`dialogue.graph_runner`) in the Rasa server;
``make rasa-test`` runs the test stories through this, so they check the
predictions callers get, not only Rasa's own.
"""

from __future__ import annotations

import sys

from dialogue import graph_runner, states


def main() -> None:
    states.install()
    graph_runner.install()
    from rasa.__main__ import main as rasa

    sys.argv[0] = "rasa"
    rasa()


if __name__ == "__main__":
    main()
