from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TimelineConfig(AppConfig):
    name = "timeline"
    verbose_name = _("Timeline")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        # Register the schema extension, the deployment checks and the lock-out's log line.
        from . import api_schema, checks, security  # noqa: F401
        from .roles import ensure_roles
        from .signals import connect

        connect()
        post_migrate.connect(ensure_roles, sender=self, dispatch_uid="timeline-roles")
