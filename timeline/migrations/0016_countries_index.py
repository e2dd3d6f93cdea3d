from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0015_corrections"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="event",
            index=models.Index(fields=["status", "countries", "publish_at"], name="event_countries_idx"),
        ),
    ]
