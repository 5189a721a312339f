"""Our web service (Sanic): public portal, REST API, operator/department/staff consoles."""
