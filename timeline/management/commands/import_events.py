"""`manage.py import_events FILE [--atomic]`: load events from JSON (API format) or CSV."""

import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _
from tqdm import tqdm

from timeline.importing import CSV_COLUMNS, Action, import_records, read_file


class Command(BaseCommand):
    help = (
        "Import events from a JSON list in the API's representation or a CSV file (comma, semicolon "
        "or tab separated) with the columns "
        + ", ".join(CSV_COLUMNS)
        + ". Every record is validated like an API write; a record whose import_ref (or id) exists is "
        "updated. Prints each record's outcome with its line as it happens (and a progress bar on a "
        "terminal); exits with status 1 if any was refused or failed, or the file has an unknown column."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--atomic", action="store_true", help="Import nothing if any record is refused.")

    def handle(self, *args, file: str, atomic: bool, **options):
        # Messages and human dates in the site's language, whatever ran before in this process.
        with translation.override(settings.LANGUAGE_CODE):
            try:
                records = read_file(file, Path(file).read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as error:  # missing, not UTF-8, JSON syntax, an unknown column, …
                reason = _("It is not UTF-8 (in Excel: “CSV UTF-8”).") if isinstance(error, UnicodeError) else error
                message = _("Nothing was imported from %(file)s: %(reason)s") % {"file": file, "reason": reason}
                raise CommandError(message) from error
            counts = dict.fromkeys(Action, 0)
            # A bar on a terminal only, in the stream self.stdout writes to; outcomes are printed above it.
            stream = options.get("stdout") or sys.stdout
            with tqdm(total=len(records), file=stream, disable=not self.stdout.isatty(), leave=False) as bar:
                for outcome in import_records(records, atomic=atomic):
                    with bar.external_write_mode(file=stream):
                        self.stdout.write(str(outcome))
                        self.stdout.flush()
                    counts[outcome.action] += 1
                    bar.update()
            summary = ", ".join(f"{count} {action.label}" for action, count in counts.items()) + "."
            if not (counts[Action.REFUSED] or counts[Action.FAILED]):
                self.stdout.write(summary)
            elif atomic:
                raise CommandError(summary + " " + _("Nothing was imported (--atomic)."))
            else:
                raise CommandError(summary + " " + _("Those refused or failed were not imported; the others were."))
