"""The Celery app. Tenant-aware: the sending connection's schema travels in a task header."""

from __future__ import annotations

import os

from tenant_schemas_celery.app import CeleryApp

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cxgap_project.settings")

app = CeleryApp("cxgap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
