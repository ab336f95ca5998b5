"""The local stack: start, health-check and stop the project's own processes."""
