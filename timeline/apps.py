from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = _("Timeline")

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the deployment checks)
        from .signals import connect

        connect()
