"""Settings for the test suite: the real settings, with a throwaway secret key.

DATABASE_URL and REDIS_URL still come from the environment, so the same suite runs on
SQLite with eager Celery (nothing set) and on PostgreSQL with Redis (CI).
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from pilot.settings import *  # noqa: F403

# Fixed for the whole run: the live test server builds its middleware once, at start-up.
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_AUTOREFRESH = True
PILOT_AS_OF_DATE = None
