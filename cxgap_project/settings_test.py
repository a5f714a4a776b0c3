"""Test settings: the real stack (PostgreSQL schemas, Redis), with a fast hasher and an in-memory outbox."""

import os

# Tests read sent mail from Django's outbox unless a test runs its own SMTP server.
os.environ.setdefault("EMAIL_URL", "memorymail://")
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")

from cxgap_project.settings import *  # noqa: F403
from cxgap_project.settings import REST_FRAMEWORK

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False
MAIL_SINK_DIRECTORY = None
REST_FRAMEWORK = {
    **REST_FRAMEWORK,
    "DEFAULT_THROTTLE_RATES": {"anon": "10000/minute", "user": "10000/minute", "respondent": "10000/minute"},
}
# Tests run many logins from one address; the lock-out test sets its own limit.
AXES_FAILURE_LIMIT = 5
CELERY_BEAT_SCHEDULE = {}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# Tests use their own queue, so a local `manage.py up` worker sharing the embedded Redis never
# picks up a test task (and the other way round); a test worker targets the test database.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CXGAP_TEST_QUEUE", "cxgap-test")
CACHES["default"]["KEY_PREFIX"] = "test"  # noqa: F405
if os.environ.get("CXGAP_TEST_DATABASE_NAME"):
    DATABASES["default"]["NAME"] = os.environ["CXGAP_TEST_DATABASE_NAME"]  # noqa: F405
