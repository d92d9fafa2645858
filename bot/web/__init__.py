"""The web side: the LINE webhook, the JSON API, the dashboard and its exports — the only Flask
blueprints."""
