"""The one client the product has for ServiceNow (the Table API, over pysnow)."""
