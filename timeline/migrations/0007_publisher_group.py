"""The "publisher" group, and the editor's narrower role once review exists.

Editors create and edit drafts and submit them for review. Publishers also publish, schedule,
withdraw and restore. Nobody but a superuser deletes an event: withdrawal is the way to take one
down, and it keeps the record.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "editor"
PUBLISHER = "publisher"
PUBLISHER_EXTRA = ["publish_event"]


def forwards(apps, schema_editor):
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editor, _created = Group.objects.get_or_create(name=EDITOR)
    editor.permissions.remove(*Permission.objects.filter(content_type__app_label="timeline", codename="delete_event"))
    publisher, _created = Group.objects.get_or_create(name=PUBLISHER)
    publisher.permissions.set(
        list(editor.permissions.all())
        + list(Permission.objects.filter(content_type__app_label="timeline", codename__in=PUBLISHER_EXTRA))
    )


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    Group.objects.filter(name=PUBLISHER).delete()
    editor = Group.objects.filter(name=EDITOR).first()
    if editor:
        editor.permissions.add(*Permission.objects.filter(content_type__app_label="timeline", codename="delete_event"))


class Migration(migrations.Migration):
    dependencies = [("timeline", "0006_workflow_states_versions")]

    operations = [migrations.RunPython(forwards, backwards)]
