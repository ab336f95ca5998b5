"""Benchmarks that print figures: turn times of whole calls, NLU latency and throughput.

``python -m bench`` (``make bench``) runs them; see :mod:`bench.__main__`.
Numbers live here, never in timed test assertions.
"""
