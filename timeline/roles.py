"""The editorial roles, defined once: groups and their permissions.

Kept in sync after every `migrate` (and after a test database is flushed) by a post_migrate
handler, so the roles are what this file says even after a restore. The early migrations that
first created the groups remain as history.
"""

from django.contrib.auth.models import Group, Permission
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import Series

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


# What decides what the public sees, and when, is the publisher's. The permission that says so:
PUBLISH = "timeline.publish_event"
# The event fields that are such decisions (besides the status, which models.may_change rules):
# when the event becomes public, and the reason readers are given when it is withdrawn.
PUBLISHER_FIELDS = ("publish_at", "withdrawal_reason")


def is_publisher(user) -> bool:
    """Whether `user` makes the publisher's decisions: one with PUBLISH, or no user at all (a
    management command such as import_events, run by whoever runs the server)."""
    return user is None or user.has_perm(PUBLISH)


def publisher_only_fields(user) -> tuple[str, ...]:
    """The event fields `user` may not set (PUBLISHER_FIELDS for anyone but a publisher, else
    none): the admin shows them read-only, the API refuses a change of them with 403, and the
    importer, which runs without a user, sets them."""
    return () if is_publisher(user) else PUBLISHER_FIELDS


def publisher_only_fields_refused(fields) -> str:
    """The API's message refusing a change of `fields` (their API names) to a user who is no publisher."""
    names = ", ".join(_("“%(name)s”") % {"name": name} for name in fields)
    return ngettext(
        "Only publishers may set the field %(fields)s: when and why readers see an event is their "
        "decision. Leave it out or send it unchanged.",
        "Only publishers may set the fields %(fields)s: when and why readers see an event is their "
        "decision. Leave them out or send them unchanged.",
        len(fields),
    ) % {"fields": names}


def may_change_grouping(user, grouping) -> bool:
    """Whether `user` may change or delete `grouping`, a topic or series: any user with the
    change (or delete) permission while no published event uses it (a new one, or one only drafts
    use), only a publisher once one does, as its name and address are then public or become so at
    a scheduled time with no one's further say (EventGrouping.is_published)."""
    return is_publisher(user) or not grouping.is_published()


def grouping_for_publishers(grouping) -> str:
    """Why `grouping`, a topic or series, is the publisher's (may_change_grouping): the admin shows
    it above the read-only fields, the API answers a change with it (403)."""
    if isinstance(grouping, Series):
        return _(
            "Published events belong to this series, so only a publisher may change it: its name and address "
            "are on public pages and in feed subscriptions. Ask a publisher, or create a new series."
        )
    return _(
        "Published events are filed under this topic, so only a publisher may change it: its name and "
        "address are on public pages and in feed subscriptions. Ask a publisher, or create a new topic."
    )
