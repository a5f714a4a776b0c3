from django.apps import AppConfig


class CxgapProjectConfig(AppConfig):
    """Holds the shared base templates and static files."""

    name = "cxgap_project"
    verbose_name = "CX Gap"
