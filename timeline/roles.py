"""The editorial roles, defined once: groups and their permissions.

Kept in sync after every `migrate` (and after a test database is flushed) by a post_migrate
handler, so the roles are what this file says even after a restore. The early migrations that
first created the groups remain as history.
"""

from django.contrib.auth.models import Group, Permission

EDITOR = [
    "add_event", "change_event", "view_event",
    "add_participant", "change_participant", "delete_participant", "view_participant",
    "add_sourcelink", "change_sourcelink", "delete_sourcelink", "view_sourcelink",
    "add_topic", "change_topic", "view_topic",
    "add_series", "change_series", "view_series",
]  # fmt: skip
# Publishers also publish, schedule, withdraw and restore, see the audit trail and share previews.
PUBLISHER = [*EDITOR, "publish_event", "view_revision", "view_previewlink"]
ROLES = {"editor": EDITOR, "publisher": PUBLISHER}


def ensure_roles(**kwargs) -> None:
    """Create the role groups if missing and give them exactly their permissions."""
    for name, codenames in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(Permission.objects.filter(content_type__app_label="timeline", codename__in=codenames))
