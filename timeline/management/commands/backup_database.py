"""`manage.py backup_database FILE` / `--restore FILE`: a consistent copy of the whole database.

SQLite: the sqlite3 online backup API (safe while the service runs). PostgreSQL: pg_dump and
pg_restore (custom format), which must be installed and match the server's major version.
Everything is included: events, revisions, users, tokens.
"""

import os
import shutil
import sqlite3
import subprocess

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from timeline.cache import content_changed


class Command(BaseCommand):
    help = "Back up the database to FILE, or with --restore, replace the database with FILE's contents."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--restore", action="store_true", help="Restore from FILE (replaces all data).")

    def handle(self, *args, file: str, restore: bool, **options):
        vendor = connection.vendor
        if vendor == "sqlite":
            self._sqlite(file, restore)
        elif vendor == "postgresql":
            self._postgresql(file, restore)
        else:
            raise CommandError(f"No backup method for {vendor}; use the database's own tools.")
        if restore:
            content_changed()  # cached feeds must not outlive the data they were built from
        self.stdout.write(f"{'Restored from' if restore else 'Backed up to'} {file} ({vendor}).")

    def _sqlite(self, file: str, restore: bool) -> None:
        connection.ensure_connection()
        live = connection.connection
        if restore:
            if not os.path.exists(file):
                raise CommandError(f"{file} does not exist.")
            with sqlite3.connect(file) as source:
                source.backup(live)
        else:
            with sqlite3.connect(file) as target:
                live.backup(target)

    def _postgresql(self, file: str, restore: bool) -> None:
        settings = connection.settings_dict
        tool = "pg_restore" if restore else "pg_dump"
        if not shutil.which(tool):
            raise CommandError(f"{tool} is not installed (Debian: apt-get install postgresql-client).")
        environment = {**os.environ, "PGPASSWORD": settings.get("PASSWORD") or ""}
        target = [
            "--host", settings.get("HOST") or "localhost",
            "--port", str(settings.get("PORT") or 5432),
            "--username", settings.get("USER") or "",
            "--dbname", settings["NAME"],
        ]  # fmt: skip
        if restore:
            command = [tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", *target, file]
        else:
            command = [tool, "--format=custom", "--file", file, *target]
        connection.close()  # pg_restore replaces the tables this connection might hold locks on
        result = subprocess.run(command, env=environment, capture_output=True, text=True)  # noqa: S603
        if result.returncode != 0:
            raise CommandError(f"{tool} failed: {result.stderr.strip()[:2000]}")
