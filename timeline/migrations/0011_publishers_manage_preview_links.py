"""Publishers see and revoke the secret preview links."""

from django.db import migrations


def forwards(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    content_type, _created = ContentType.objects.get_or_create(app_label="timeline", model="previewlink")
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="view_previewlink", defaults={"name": "Can view preview link"}
    )
    Group.objects.get_or_create(name="publisher")[0].permissions.add(permission)


def backwards(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name="publisher"):
        group.permissions.remove(*Permission.objects.filter(codename="view_previewlink"))


class Migration(migrations.Migration):
    dependencies = [("timeline", "0010_preview_links")]

    operations = [migrations.RunPython(forwards, backwards)]
