import datetime

import django.core.validators
from django.conf import settings
from django.db import migrations, models
from django.db.models import F

import timeline.models


def expire_as_if_made_now(apps, schema_editor):
    """Links made before expiry existed expire as a link made now would have, counted from when
    each was made: a link shared months ago has stopped, not been given another week."""
    PreviewLink = apps.get_model("timeline", "PreviewLink")
    PreviewLink.objects.update(expires_at=F("created_at") + datetime.timedelta(days=settings.PREVIEW_LINK_MAX_AGE))


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0024_former_slugs"),
    ]

    operations = [
        migrations.AddField(
            model_name="previewlink",
            name="expires_at",
            field=models.DateTimeField(
                default=timeline.models.preview_link_expiry,
                help_text="The link stops working at this time, and at once when the event is published or withdrawn.",
                validators=[
                    django.core.validators.MinValueValidator(datetime.datetime(1900, 1, 1, 0, 0, tzinfo=datetime.UTC)),
                    django.core.validators.MaxValueValidator(
                        datetime.datetime(9999, 12, 30, 0, 0, tzinfo=datetime.UTC)
                    ),
                ],
                verbose_name="expires",
            ),
        ),
        migrations.RunPython(expire_as_if_made_now, migrations.RunPython.noop),
    ]
