"""Public pages and the health check, as a reader or an operator meets them."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.contrib.auth.models import Permission, User

from timeline.models import Event

ROOT = Path(__file__).resolve().parents[2]


def test_list_shows_public_events_with_honest_dates_and_hides_drafts(client, make_event):
    make_event(title="Treffen in Berlin", date="2025-06-26")
    make_event(title="Dialog etabliert", date="Ende 2024")
    make_event(title="Geheimer Entwurf", status=Event.Status.DRAFT, publish_at=None)

    page = client.get("/").content.decode()
    assert "Treffen in Berlin" in page and "26. Juni 2025" in page
    assert "Dialog etabliert" in page and "4. Quartal 2024" in page
    assert "Geheimer Entwurf" not in page
    assert page.index("Treffen in Berlin") < page.index("Dialog etabliert")


def test_list_is_english_at_its_english_address(client, make_event):
    make_event(title="Treffen", date="2025-06-26")
    page = client.get("/en/").content.decode()
    assert "26 June 2025" in page
    assert 'lang="en"' in page


def test_detail_page_shows_participants_sources_and_sanitised_body(client, make_event):
    event = make_event(title="Treffen", body='<p>Inhalt</p><img src=x onerror="alert(1)">')
    event.participants.create(name="Minoru Kiuchi (城内実)", role="Minister für Wirtschaftssicherheit", country="JP")
    event.sources.create(url="https://www.bundeswirtschaftsministerium.de/", title="Pressemitteilung")

    page = client.get(event.get_absolute_url()).content.decode()
    assert "Minoru Kiuchi (城内実)" in page and "Minister für Wirtschaftssicherheit" in page
    assert 'href="https://www.bundeswirtschaftsministerium.de/"' in page
    assert "<p>Inhalt</p>" in page and "onerror" not in page


def test_draft_detail_is_404_for_the_public_and_a_marked_preview_for_those_who_may_view_events(client, make_event):
    draft = make_event(title="Entwurf", status=Event.Status.DRAFT, publish_at=None)
    assert client.get(draft.get_absolute_url()).status_code == 404

    staff = User.objects.create_user("staff", password="pw", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_event"))
    client.force_login(staff)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "Vorschau" in response.content.decode()
    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex"


def test_logged_in_non_staff_user_cannot_preview_drafts(client, make_event):
    draft = make_event(status=Event.Status.DRAFT, publish_at=None)
    client.force_login(User.objects.create_user("reader", password="pw"))
    assert client.get(draft.get_absolute_url()).status_code == 404


def test_healthz_answers_200_when_the_database_is_reachable(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok"}
    assert response["Cache-Control"] == "no-store"


def test_healthz_answers_even_for_a_host_the_site_does_not_serve(client, db):
    assert client.get("/healthz", headers={"host": "10.0.0.7:8000"}).status_code == 200
    assert client.get("/", headers={"host": "10.0.0.7:8000"}).status_code == 400


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path):
    # A real unreachable database: SQLite cannot open a file in a directory that does not exist.
    script = (
        "import django, json; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz');"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-directory/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["status"] == 503
    assert outcome["body"]["status"] == "error"


def test_every_public_surface_answers_503_to_retry_when_the_database_is_unreachable(tmp_path):
    """Pages and feeds are answered from the cache before the view runs; without a database to
    read the content version from, they still say "try again" (503, Retry-After), never 500."""
    paths = ["/", "/en/", "/events/treffen/", "/feeds/atom/", "/export.csv", "/api/events/"]
    script = (
        "import django, json, sys; django.setup();"
        "from django.test import Client;"
        "answers = [Client().get(path) for path in sys.argv[1:]];"
        "print(json.dumps([[r.status_code, r.get('Retry-After')] for r in answers]))"
    )
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.test_settings",
        "DATABASE_URL": f"sqlite:///{tmp_path}/missing-directory/db.sqlite3",
    }
    result = subprocess.run(
        [sys.executable, "-c", script, *paths], cwd=ROOT, env=environment, capture_output=True, text=True, check=True
    )
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == [[503, "5"]] * len(paths)


def test_body_written_around_the_model_is_still_sanitised_on_the_page(client, make_event):
    event = make_event(title="Treffen")
    Event.objects.filter(pk=event.pk).update(body='<p>ok</p><script>alert("bulk")</script>')
    page = client.get(event.get_absolute_url()).content.decode()
    assert "<p>ok</p>" in page
    assert 'alert("bulk")' not in page


def test_unknown_page_is_a_friendly_404_in_the_site_layout(client, db):
    response = client.get("/events/gibt-es-nicht/")
    assert response.status_code == 404
    assert "Seite nicht gefunden" in response.content.decode()
    assert 'href="/"' in response.content.decode()


def test_a_title_written_around_the_models_never_leaves_a_heading_or_link_empty_or_reversed(client, make_event):
    from timeline.cache import content_changed

    blank = make_event(title="Wird leer", date="2025-06-26")
    reversed_ = make_event(title="Wird verdreht", date="2025-06-25")
    Event.objects.filter(pk=blank.pk).update(title="\u200b\x01")
    Event.objects.filter(pk=reversed_.pk).update(title="\u202eDeutschland, Japan\x0b")
    content_changed()
    listing = client.get("/").content.decode()
    assert '<a href="/events/wird-leer/">Termin ohne Titel</a>' in listing
    assert "\u202e" not in listing and "\x0b" not in listing and "Deutschland, Japan</a>" in listing
    page = client.get("/events/wird-leer/").content.decode()
    assert "<title>Termin ohne Titel – Diplomatische Termine</title>" in page
    assert ">Termin ohne Titel</h1>" in page


def test_healthz_carries_the_security_headers_of_every_other_answer(client, db):
    health, page = client.get("/healthz", headers={"host": "10.0.0.7:8000"}), client.get("/")
    for name in ("X-Content-Type-Options", "Referrer-Policy", "X-Frame-Options", "Cross-Origin-Opener-Policy"):
        assert health[name] == page[name], name


def test_healthz_sends_hsts_over_https_in_production(client, db, settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/healthz", secure=True, headers={"host": "10.0.0.7:8000"})
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_language_cookie_is_sent_only_to_this_site(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/"})
    assert response.cookies["django_language"]["samesite"] == "Lax"


def test_an_admin_login_with_a_next_leading_off_the_site_lands_in_the_admin(client, db):
    User.objects.create_user("redakteurin", password="ein-langes-passwort-7", is_staff=True)
    for unsafe in ("https://evil.example/", "//evil.example/"):
        response = client.post(
            "/admin/login/?next=" + unsafe,
            {"login_view-current_step": "auth", "username": "redakteurin", "password": "ein-langes-passwort-7"},
        )
        assert (response.status_code, response["Location"]) == (302, "/admin/"), unsafe
        client.logout()
