"""Local stand-ins for the external systems the assistant talks to."""
