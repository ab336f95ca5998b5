"""``make bench``: this project against a stock Rasa voice bot, under the same load.

``python -m bench`` starts both (see :mod:`bench.__main__`) and prints latency,
capacity per core, memory, NLU accuracy and the performance targets.
Numbers live here, never in timed test assertions.
"""
