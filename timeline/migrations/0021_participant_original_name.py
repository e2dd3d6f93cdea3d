from django.db import migrations, models

# The seed's names written as one string before a name could have its own script: stored names
# the seed gave, split as the seed now gives them. Only these exact values, so no editor's name
# is guessed at (a Han name alone could be Chinese or Japanese).
SEED_NAMES = {
    "Minoru Kiuchi (城内実)": ("Minoru Kiuchi", "城内実", "ja"),
    "Fumio Kishida (岸田文雄)": ("Fumio Kishida", "岸田文雄", "ja"),
}


def split_seed_names(apps, schema_editor):
    """Split the seed's "Latin (original)" names into the two fields. The events' search texts
    are rewritten by 0023 (with the live rule, which reads fields that exist from 0022 on)."""
    Participant = apps.get_model("timeline", "Participant")
    for participant in Participant.objects.filter(name__in=SEED_NAMES, original_name=""):
        participant.name, participant.original_name, participant.original_language = SEED_NAMES[participant.name]
        participant.save(update_fields=["name", "original_name", "original_language"])


def join_seed_names(apps, schema_editor):
    """Back to one string, so going back loses nothing of the seed's names."""
    Participant = apps.get_model("timeline", "Participant")
    for combined, (name, original, language) in SEED_NAMES.items():
        Participant.objects.filter(name=name, original_name=original, original_language=language).update(name=combined)


class Migration(migrations.Migration):
    dependencies = [
        ("timeline", "0020_date_entered_and_seasons"),
    ]

    operations = [
        migrations.AddField(
            model_name="participant",
            name="original_language",
            field=models.CharField(
                blank=True,
                choices=[
                    ("ja", "Japanese"),
                    ("zh", "Chinese"),
                    ("ko", "Korean"),
                    ("ru", "Russian"),
                    ("uk", "Ukrainian"),
                    ("bg", "Bulgarian"),
                    ("sr", "Serbian"),
                    ("el", "Greek"),
                    ("ar", "Arabic"),
                    ("fa", "Persian"),
                    ("he", "Hebrew"),
                    ("hi", "Hindi"),
                    ("th", "Thai"),
                    ("ka", "Georgian"),
                    ("hy", "Armenian"),
                    ("mn", "Mongolian"),
                ],
                max_length=8,
                verbose_name="language of the original name",
            ),
        ),
        migrations.AddField(
            model_name="participant",
            name="original_name",
            field=models.CharField(
                blank=True,
                help_text="The name in its own script, such as 城内実; the name above stays in Latin script.",
                max_length=200,
                verbose_name="name in original script",
            ),
        ),
        migrations.RunPython(split_seed_names, join_seed_names),
    ]
