"""Settings for a server a test runs in a subprocess (`marketplace.testing.daphne_server`).

The real settings, read from the environment the test gives, with what the root conftest
changes for tests that matter to a server: static files come from the source folders (tests
run without collectstatic, so there is no manifest) and passwords hash quickly.
"""

from marketplace.settings import *  # noqa: F403
from marketplace.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# WhiteNoise serves them from the source folders too (through the finders), looked up when
# asked for: without this a browser on the subprocess got 404 for every stylesheet and script.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The anonymous page cache is off, as in the in-process tests: a browser test sees each change
# at once, and pages are rendered as the suite's other tests expect.
PAGE_CACHE_SECONDS = 0
