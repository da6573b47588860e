"""WSGI entry point: ``app = create_app()`` (gunicorn wsgi:app; flask --app wsgi ...)."""
from portal import create_app

app = create_app()
