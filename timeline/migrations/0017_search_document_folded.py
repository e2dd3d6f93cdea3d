from django.db import migrations


class Migration(migrations.Migration):
    """Once rewrote every event's search text in the folded form queries use, by the live rule.

    That rule now reads the per-language fields of 0022, which an event does not have yet at this
    point, so a database older than this migration could not get past it. 0023 rewrites every
    event's search texts instead; this migration is kept, empty, for the databases that ran it.
    """

    dependencies = [
        ("timeline", "0016_countries_index"),
    ]

    operations = []
