"""The Django project the countermark.django suite runs against: SQLite (a file, so threads share it), or
PostgreSQL when COUNTERMARK_POSTGRES_URL names a server (tests/with-postgres.sh starts one; `make django-pg-test`),
and, as the cache, the Redis server `make test` starts (COUNTERMARK_REDIS_URL)."""

import os
import tempfile
from urllib.parse import unquote, urlsplit

REDIS_URL = os.environ.get("COUNTERMARK_REDIS_URL")
if not REDIS_URL:
    raise RuntimeError("the Django suite needs a Redis server: run it through tests/with-redis.sh (make py-test does)")

SECRET_KEY = "test-secret-key-for-the-countermark-django-suite-0123456789"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "api.example", "127.0.0.1", "localhost"]
USE_TZ = True
ROOT_URLCONF = "testproject.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.admin",
    "django.contrib.messages",
    "rest_framework",
    "django_hmac_authentication",
    "asymmetric_jwt_auth",
    "countermark.django",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "countermark.django.middleware.CountermarkMiddleware",
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "countermark.django.backends.CountermarkBackend",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.path.join(tempfile.gettempdir(), "countermark-django-suite.sqlite3"),
        "TEST": {"NAME": os.path.join(tempfile.gettempdir(), f"countermark-django-test-{os.getpid()}.sqlite3")},
        "OPTIONS": {"timeout": 20},
    }
}
POSTGRES_URL = os.environ.get("COUNTERMARK_POSTGRES_URL")
if POSTGRES_URL:
    _pg = urlsplit(POSTGRES_URL)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(_pg.path.lstrip("/")) or "postgres",
            "USER": unquote(_pg.username or ""),
            "PASSWORD": unquote(_pg.password or ""),
            "HOST": _pg.hostname or "127.0.0.1",
            "PORT": str(_pg.port or 5432),
        }
    }
# Another process of the suite (test_key_cache.py's) opens the test database the parent made.
if os.environ.get("COUNTERMARK_TEST_DB_NAME"):
    DATABASES["default"]["NAME"] = os.environ["COUNTERMARK_TEST_DB_NAME"]

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL},
}
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast tests; never in production
LOGIN_REDIRECT_URL = "/home/"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "countermark.django.drf.HMACAuthentication",
        "countermark.django.drf.FostAuthentication",
        "countermark.django.drf.HttpSignatureAuthentication",
        "countermark.django.drf.JWTAuthentication",
        "countermark.django.drf.SignedURLAuthentication",
        "countermark.django.drf.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# Many refusals per test come from one address (127.0.0.1): the throttle tests set their own threshold.
COUNTERMARK = {"FAILED_ATTEMPTS_THRESHOLD": 1000}
# The reference libraries, installed beside ours for the compatibility tests.
ASYMMETRIC_JWT_AUTH = {"NONCE_BACKEND": "asymmetric_jwt_auth.nonce.django.DjangoCacheNonceBackend"}
HMAC_AUTHENTICATION_SETTINGS = {"MAX_HMACS_PER_USER": 10, "HMAC_AUTH_REQUEST_TIMEOUT": 5}
