"""`manage.py import_events FILE [--atomic]`: load events from JSON (API format) or CSV."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from timeline.importing import CSV_COLUMNS, import_records, read_file


class Command(BaseCommand):
    help = (
        "Import events from a JSON list in the API's representation or a CSV file with the columns "
        + ", ".join(CSV_COLUMNS)
        + ". Every record is validated like an API write; a record whose import_ref (or id) exists is "
        "updated. Reports each record; exits with status 1 if any was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--atomic", action="store_true", help="Import nothing if any record is refused.")

    def handle(self, *args, file: str, atomic: bool, **options):
        try:
            text = Path(file).read_text(encoding="utf-8-sig")
            records = read_file(file, text)
        except (OSError, UnicodeDecodeError, ValueError) as error:
            raise CommandError(f"Cannot read {file}: {error}") from error
        # Messages and human dates in the site's language, whatever ran before in this process.
        with translation.override(settings.LANGUAGE_CODE):
            outcomes = import_records(records, atomic=atomic)
        for outcome in outcomes:
            self.stdout.write(str(outcome))
        counts = {action: sum(o.action == action for o in outcomes) for action in ("created", "updated", "refused")}
        summary = ", ".join(f"{count} {action}" for action, count in counts.items())
        if atomic and counts["refused"]:
            raise CommandError(f"{summary}. Nothing was imported (--atomic).")
        if counts["refused"]:
            raise CommandError(f"{summary}. The refused records were not imported.")
        self.stdout.write(summary + ".")
