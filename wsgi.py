"""gunicorn entry point: ``gunicorn wsgi:app`` (see gunicorn.conf.py and the Procfile)."""
from bot import create_app

app = create_app()
