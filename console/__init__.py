"""The agent console: live calls from Rasa's event broker, take-over, history, review, training.

``create_app`` (console.app) builds the Sanic app; ``python -m console`` serves it.
"""
