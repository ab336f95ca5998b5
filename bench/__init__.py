"""``make bench``: this project against a stock Rasa voice bot, under the same load.

``python -m bench`` starts both (:mod:`bench.stacks`), makes one untimed call to each,
scores NLU on held-out sentences (:mod:`bench.nlu`), runs the calls of :mod:`bench.load`
at 1, 10 and 40 back-to-back callers, and prints latency, capacity per core, memory,
training times and the performance targets (:mod:`bench.report`); it writes
``var/bench/report.json`` and ``latency.png``, and py-spy flame graphs with ``--profile``.
Numbers live here, never in timed test assertions.
"""
