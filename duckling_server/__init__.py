"""Duckling's HTTP server (``POST /parse``, ``GET /``) over pyduckling, on Sanic.

Run it with ``python -m duckling_server --port 8000``; point Rasa's
``DucklingEntityExtractor`` ``url`` at it.
"""
