"""`manage.py ensure_admin`: make sure a local admin login exists, and say how to use it."""

import os
import secrets
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from timeline.two_step import has_two_step

PASSWORD_FILE = Path(settings.BASE_DIR) / ".admin-password"


class Command(BaseCommand):
    help = (
        "For local development: create the superuser 'admin' if no superuser exists, with the "
        "password from DJANGO_ADMIN_PASSWORD or a generated one kept in .admin-password."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/", help="Admin URL to print.")

    def handle(self, *args, url, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_admin is for local development (DJANGO_DEBUG=1); use createsuperuser.")
        User = get_user_model()
        username = "admin"
        if not User.objects.filter(username=username).exists():
            if User.objects.filter(is_superuser=True).exists():
                self.stdout.write(f"Admin: {url} — log in with your existing superuser.")
                return
            password = os.environ.get("DJANGO_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
            User.objects.create_superuser(username=username, email="", password=password)
            if "DJANGO_ADMIN_PASSWORD" not in os.environ:
                PASSWORD_FILE.write_text(password + "\n")
                PASSWORD_FILE.chmod(0o600)
        user = User.objects.get(username=username)
        if os.environ.get("DJANGO_ADMIN_PASSWORD"):
            self.stdout.write(f"Admin: {url}  user: {username}  password: the value of DJANGO_ADMIN_PASSWORD")
        elif PASSWORD_FILE.exists() and user.check_password(password := PASSWORD_FILE.read_text().strip()):
            self.stdout.write(f"Admin: {url}  user: {username}  password: {password}")
            self.stdout.write(f"(The password is kept in {PASSWORD_FILE.name}, which git ignores.)")
        else:
            self.stdout.write(
                f"Admin: {url}  user: {username}  password: as set before "
                f"(reset it with: .venv/bin/python manage.py changepassword {username})"
            )
        # A superuser logs in with a second step (timeline/two_step.py): say what the login asks.
        if has_two_step(user):
            self.stdout.write(
                "Then the code from your authenticator app (lost it? "
                f".venv/bin/python manage.py two_factor_disable {username}, and set it up again)."
            )
        else:
            self.stdout.write(
                "The first login sets up two-step verification: have an authenticator app ready "
                '(README, "Two-step verification").'
            )
