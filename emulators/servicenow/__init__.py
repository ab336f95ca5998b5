"""A ServiceNow Table API emulator (incident, sys_user): see ``app.py``."""
