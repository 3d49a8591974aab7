"""The example service as `make bench-load` runs it: under gunicorn, on PostgreSQL and Redis (both started by
tests/with-postgres.sh and tests/with-redis.sh, which set the two variables below), with one more view behind
django-hmac-authentication, the reference the load test compares against.

  COUNTERMARK_POSTGRES_URL  postgresql://USER@HOST:PORT/DB
  COUNTERMARK_REDIS_URL     redis://HOST:PORT/DB (the nonce cache, shared by the workers)
"""

import os
from urllib.parse import unquote, urlsplit

from .settings import *  # noqa: F401,F403 - the example's settings, changed below
from .settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "django_hmac_authentication"]
ROOT_URLCONF = "demo_service.urls_load"

_pg = urlsplit(os.environ["COUNTERMARK_POSTGRES_URL"])
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(_pg.path.lstrip("/")) or "postgres",
        "USER": unquote(_pg.username or ""),
        "PASSWORD": unquote(_pg.password or ""),
        "HOST": _pg.hostname or "127.0.0.1",
        "PORT": str(_pg.port or 5432),
        "CONN_MAX_AGE": 600,  # one connection per worker thread, as a production service keeps them
    }
}
# Shared by both workers: a replay sent to the other worker is caught too.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["COUNTERMARK_REDIS_URL"]}}
SILENCED_SYSTEM_CHECKS: list = []

# The load test's replays are refusals from one address (127.0.0.1): no throttle for it here. The headers are
# signed before the run, so both libraries accept 10 minutes of age.
COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 10**9, "HMAC_MAX_AGE": 600}
HMAC_AUTHENTICATION_SETTINGS = {"HMAC_AUTH_REQUEST_TIMEOUT": 600}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {
        "countermark.django": {"handlers": ["console"], "level": "WARNING"},
        "django.request": {"handlers": ["console"], "level": "ERROR"},
    },
}
