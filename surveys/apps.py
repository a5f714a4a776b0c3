from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = "Surveys: questionnaires, campaigns and responses"

    def ready(self) -> None:
        # Provider webhooks (django-anymail) report bounces and complaints through this signal.
        from anymail.signals import tracking

        from surveys.services.sending import provider_tracking_received

        tracking.connect(provider_tracking_received, dispatch_uid="surveys.provider_tracking")
