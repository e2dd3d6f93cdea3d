"""Publishers see every revision (the audit trail) and may restore one."""

from django.db import migrations


def forwards(apps, schema_editor):
    # Made here rather than by create_permissions(), whose content-type cache may not yet know
    # the model the previous migration created.
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(app_label="timeline", model="revision")
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="view_revision", defaults={"name": "Can view revision"}
    )
    publisher, _created = Group.objects.get_or_create(name="publisher")
    publisher.permissions.add(permission)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for group in Group.objects.filter(name="publisher"):
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="timeline", codename="view_revision")
        )


class Migration(migrations.Migration):
    dependencies = [("timeline", "0008_revisions")]

    operations = [migrations.RunPython(forwards, backwards)]
