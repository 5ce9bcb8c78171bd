"""The site as `make bench` serves it over HTTP (gunicorn): production settings, and the site's
URLs with the two baselines in front (bench/urls.py), as the in-process benchmark has them."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "marketplace.settings")

application = get_wsgi_application()
# After setup and before the first request: each request resolves against ROOT_URLCONF.
settings.ROOT_URLCONF = "bench.urls"
