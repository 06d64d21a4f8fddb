"""WSGI entry point: `flask --app wsgi …` and gunicorn `wsgi:app`."""

import os

from consult import create_app

app = create_app(os.environ.get("CONSULT_CONFIG", "development"))
