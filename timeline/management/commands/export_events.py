"""`manage.py export_events [--output FILE]`: every event as JSON in the API's representation."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from timeline.importing import export_records


class Command(BaseCommand):
    help = "Write every event (drafts too) as a JSON list that import_events reads back."

    def add_arguments(self, parser):
        parser.add_argument("--output", "-o", help="File to write (default: standard output).")

    def handle(self, *args, output: str | None, **options):
        # Messages and human dates in the site's language, whatever ran before in this process.
        with translation.override(settings.LANGUAGE_CODE):
            text = json.dumps(export_records(), ensure_ascii=False, indent=2) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as handle:
                handle.write(text)
        else:
            self.stdout.write(text, ending="")
