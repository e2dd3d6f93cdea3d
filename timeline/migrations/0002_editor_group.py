"""The "editor" group: what a press-office editor needs, without being a superuser."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_GROUP = "editor"
EDITOR_PERMISSIONS = {
    "event": ["add", "change", "delete", "view"],
    "participant": ["add", "change", "delete", "view"],
    "sourcelink": ["add", "change", "delete", "view"],
    "topic": ["add", "change", "view"],
    "series": ["add", "change", "view"],
}


def create_editor_group(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist now.
    app_config = apps.get_app_config("timeline")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0, using=schema_editor.connection.alias)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name=EDITOR_GROUP)
    codenames = [f"{action}_{model}" for model, actions in EDITOR_PERMISSIONS.items() for action in actions]
    permissions = Permission.objects.filter(content_type__app_label="timeline", codename__in=codenames)
    group.permissions.add(*permissions)


def remove_editor_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITOR_GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("timeline", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_editor_group, remove_editor_group)]
