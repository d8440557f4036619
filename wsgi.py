"""WSGI entry point for production: `gunicorn -w 4 wsgi:app` (MVI_ENV=production)."""
from mvi_community import create_app

app = create_app()
