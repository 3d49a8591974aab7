"""Settings of the example service: one DRF API behind every countermark scheme, one signed-URL download.

A demo, not a deployment: the database is a throw-away SQLite file and the nonce cache is process-local.
Environment (all optional; demo.py sets them for each run):
  COUNTERMARK_DEMO_DB          SQLite file (default: <temp dir>/countermark-demo.sqlite3)
  COUNTERMARK_DEMO_SECRET_KEY  SECRET_KEY (default: a fixed, public development value)
"""

import os
import tempfile

SECRET_KEY = os.environ.get(
    "COUNTERMARK_DEMO_SECRET_KEY", "insecure-demo-secret-key-never-use-it-for-anything-real-0123456789"
)
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "demo_service.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "rest_framework",
    "countermark.django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
# countermark.django.urls' signed-URL login (auth/login/) logs in through the countermark backend.
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "countermark.django.backends.CountermarkBackend",
]
LOGIN_REDIRECT_URL = "/api/orders/"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("COUNTERMARK_DEMO_DB")
        or os.path.join(tempfile.gettempdir(), "countermark-demo.sqlite3"),
    }
}

# Single-use values (RFC 9421 and JWT nonces, seen HMAC/FOST signatures) live in this cache. LocMem is enough for
# one `runserver` process; production runs several workers and must share them: use RedisCache there, and drop
# the silenced check below (countermark.W001 warns about exactly this).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "countermark-demo"}}
SILENCED_SYSTEM_CHECKS = ["countermark.W001"]

REST_FRAMEWORK = {
    # Tried in this order; each returns None when the request carries none of its credentials.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "countermark.django.drf.HMACAuthentication",
        "countermark.django.drf.FostAuthentication",
        "countermark.django.drf.HttpSignatureAuthentication",
        "countermark.django.drf.JWTAuthentication",
        "countermark.django.drf.SignedURLAuthentication",
        "countermark.django.drf.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}

# Every key is optional (countermark/django/conf.py lists them); the defaults are what the demo shows, except that
# the demo sends all its refusals from one address (127.0.0.1): it allows that address more of them before it is
# throttled (default 5 in FAILED_ATTEMPTS_WINDOW), and shows the throttle at the end.
DEMO_FAILED_ATTEMPTS_THRESHOLD = 20
COUNTERMARK: dict = {"FAILED_ATTEMPTS_THRESHOLD": DEMO_FAILED_ATTEMPTS_THRESHOLD}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    # Why each request was refused (unknown key, which key...): the server's log only, never the client.
    "loggers": {"countermark.django": {"handlers": ["console"], "level": "INFO"}},
}
