"""Where an incident is shown: the ServiceNow form, or the emulator's Table API locally."""

from __future__ import annotations

from urllib.parse import urlencode

from settings import ServiceNowSettings


def incident_url(servicenow: ServiceNowSettings, number: str) -> str:
    if servicenow.instance:
        uri = f"incident.do?sysparm_query=number={number}"
        return f"https://{servicenow.instance}.service-now.com/nav_to.do?{urlencode({'uri': uri})}"
    scheme = "https" if servicenow.use_ssl else "http"
    query = urlencode({"sysparm_query": f"number={number}", "sysparm_display_value": "true"})
    return f"{scheme}://{servicenow.host}/api/now/table/incident?{query}"
