from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
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


class AdminConfig(admin_apps.AdminConfig):
    """Django's admin, whose `admin.site` is the editorial site: open after the second step where
    an account needs one (timeline/two_step.py). Named in INSTALLED_APPS in place of
    django.contrib.admin."""

    default = False  # "timeline" alone still means TimelineConfig
    default_site = "timeline.two_step.EditorialAdminSite"


class AxesConfig(axes_apps.AppConfig):
    """django-axes (the login limits), under a name the admin's readers understand: its own is the
    package's, "Axes". Named in INSTALLED_APPS in place of "axes"."""

    default = False
    verbose_name = _("Login attempts")
