"""``python -m dialogue <rasa arguments>``: Rasa's command line, predicting as calls are predicted.

The voice channel installs :mod:`dialogue`'s parts in the Rasa server; ``make
rasa-test`` runs the test stories through this, so they check the predictions
callers get, not only Rasa's own.
"""

from __future__ import annotations

import sys

import dialogue


def main() -> None:
    dialogue.install()
    from rasa.__main__ import main as rasa

    sys.argv[0] = "rasa"
    rasa()


if __name__ == "__main__":
    main()
