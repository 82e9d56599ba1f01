"""WSGI entry point for production servers (gunicorn, as `townhall serve` runs it, or any other)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "townhall.settings")
application = get_wsgi_application()
