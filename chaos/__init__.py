"""Failure scenarios for ticket filing: each must give exactly the expected incidents.

``make chaos`` runs them all against a stack of its own and prints a table;
``tests/integration/test_exactly_one_ticket.py`` runs each and asserts the counts.
"""
