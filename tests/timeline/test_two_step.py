"""Two-step verification (timeline/two_step.py): required for publishers and superusers, optional
for editors; recovery codes; API tokens listed and revoked on the account page."""

import base64
import binascii
from itertools import product

from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from tests.conftest import authenticator, log_in_verified, totp_code
from timeline.models import Event
from timeline.two_step import new_recovery_codes

PASSWORD = "pw-for-tests-only"
EVENTS = "/admin/timeline/event/"


def log_in(client: Client, user: User, next_path: str = EVENTS):
    """The login form's first step: the password."""
    return client.post(
        f"/admin/login/?next={next_path}",
        {"login_view-current_step": "auth", "username": user.username, "password": PASSWORD},
    )


def enter(client: Client, code: str, step: str = "token", next_path: str = EVENTS):
    """The login form's second step: the app's code ("token") or a recovery code ("backup")."""
    return client.post(f"/admin/login/?next={next_path}", {"login_view-current_step": step, f"{step}-otp_token": code})


def test_a_publisher_without_an_app_is_led_to_the_setup_reaches_nothing_else_and_gets_recovery_codes_once(
    client, publisher, make_event
):
    draft = make_event(title_de="Geheimer Entwurf", status=Event.Status.DRAFT, publish_at=None)
    setup = client.get(log_in(client, publisher)["Location"], follow=True)
    assert setup.redirect_chain[-1][0] == f"/admin/two-step/setup/?next={EVENTS.replace('/', '%2F')}"
    assert "QR-Code für die Authenticator-App" in setup.content.decode()
    scanned = setup.context["secret_key"]
    # To type by hand: in groups of four, as the apps take it; or a link that opens the app.
    key_to_type = setup.context["key_to_type"]
    assert key_to_type.replace(" ", "") == scanned and len(key_to_type.split()[0]) == 4
    assert f"<code>{key_to_type}</code>" in setup.content.decode()
    assert "In der Authenticator-App öffnen</a>" in setup.content.decode()
    for path in ("/admin/", EVENTS, "/admin/account/"):
        setup = client.get(path, follow=True)
        assert setup.redirect_chain[-1][0].startswith("/admin/two-step/setup/"), path
        # Shown again (a phone reloads the page coming back from the app): the key the app scanned.
        assert setup.context["secret_key"] == scanned
    # Nor does the password alone open drafts at their address or the API.
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get("/api/events/?status=draft").status_code in (401, 403)

    address = setup.redirect_chain[-1][0]
    key = binascii.hexlify(base64.b32decode(setup.context["secret_key"])).decode()
    code = totp_code(TOTPDevice(key=key))  # what the app shows, having read the QR code
    wrong_code = f"{(int(code) + 1) % 10**6:06d}"
    wrong = client.post(address, {"setup_view-current_step": "generator", "generator-token": wrong_code})
    assert "Der eingegebene Code ist ungültig." in wrong.content.decode()
    assert wrong_code not in wrong.content.decode()  # the field is empty for the next try
    done = client.post(address, {"setup_view-current_step": "generator", "generator-token": code}, follow=True)
    page = done.content.decode()
    codes = done.context["recovery_codes"]
    assert len(codes) == 10 and all(code in page for code in codes)
    assert f'href="{EVENTS}"' in page  # on to where the login was going
    again = client.get(done.redirect_chain[-1][0]).content.decode()
    assert not any(code in again for code in codes)
    assert client.get(EVENTS).status_code == 200


def test_an_editor_without_an_app_uses_the_admin_after_the_password_and_may_set_one_up(client, editor):
    listing = client.get(log_in(client, editor)["Location"])
    assert listing.status_code == 200 and 'href="/admin/account/"' in listing.content.decode()
    account = client.get("/admin/account/").content.decode()
    assert "Nicht eingerichtet" in account and 'href="/admin/two-step/setup/?next=/admin/account/"' in account


def test_an_editor_with_an_app_must_enter_its_code(client, editor, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's pause after a wrong code: its own concern
    device = authenticator(editor)
    asked = log_in(client, editor)
    assert asked.status_code == 200 and "Code aus der Authenticator-App" in asked.content.decode()
    assert client.get(EVENTS).status_code == 302
    wrong = enter(client, f"{(int(totp_code(device)) + 1) % 1000000:06d}")
    assert wrong.status_code == 200 and "Ungültig" in wrong.content.decode()
    assert client.get(EVENTS).status_code == 302
    assert enter(client, totp_code(device))["Location"] == EVENTS
    assert client.get(EVENTS).status_code == 200


def test_a_recovery_code_works_once(publisher):
    authenticator(publisher)
    code = new_recovery_codes(publisher)[0]
    first, second = Client(), Client()
    for client in (first, second):
        log_in(client, publisher)
        client.post(f"/admin/login/?next={EVENTS}", {"login_view-current_step": "token", "wizard_goto_step": "backup"})
    assert enter(first, code, "backup")["Location"] == EVENTS
    assert first.get(EVENTS).status_code == 200
    assert enter(second, code, "backup").status_code == 200  # the form again, refused
    assert second.get(EVENTS).status_code == 302


def test_api_tokens_are_listed_by_their_start_and_revoked_by_their_owner_or_a_superuser(publisher, editor):
    own, editors = Token.objects.create(user=publisher), Token.objects.create(user=editor)
    api = Client()
    assert api.get("/api/events/", headers={"Authorization": f"Token {own.key}"}).status_code == 200

    publisher_client = log_in_verified(Client(), publisher)
    page = publisher_client.get("/admin/account/").content.decode()
    assert own.key[:6] in page and own.key not in page and editors.key[:6] not in page
    refused = publisher_client.post("/admin/account/", {"revoke_token": editor.pk}, follow=True)
    assert "Nichts geändert" in refused.content.decode() and Token.objects.filter(user=editor).exists()
    publisher_client.post("/admin/account/", {"revoke_token": publisher.pk})
    assert api.get("/api/events/", headers={"Authorization": f"Token {own.key}"}).status_code == 401

    chief = log_in_verified(Client(), User.objects.create_superuser("chefin", password=PASSWORD))
    page = chief.get("/admin/account/").content.decode()
    assert editors.key[:6] in page and editors.key not in page
    chief.post("/admin/account/", {"revoke_token": editor.pk})
    assert api.get("/api/events/", headers={"Authorization": f"Token {editors.key}"}).status_code == 401


def test_a_superuser_resets_a_lost_app_and_the_next_login_sets_it_up_again(publisher):
    authenticator(publisher)
    chief = log_in_verified(Client(), User.objects.create_superuser("chefin", password=PASSWORD))
    chief.post("/admin/account/", {"reset_two_step": publisher.pk})
    client = Client()
    assert (
        client.get(log_in(client, publisher)["Location"], follow=True)
        .redirect_chain[-1][0]
        .startswith("/admin/two-step/setup/")
    )


def test_a_login_post_without_the_forms_step_is_a_clear_400_in_the_readers_language(client, db):
    # A script or an old form sending only a name and a password: refused, not a server error.
    refused = client.post("/admin/login/", {"username": "redakteurin", "password": PASSWORD})
    assert refused.status_code == 400
    assert "Ungültige Anfrage" in refused.content.decode()


def test_whatever_a_client_posts_to_the_login_is_answered_with_its_form_or_a_400_never_a_server_error(
    publisher, settings
):
    settings.AXES_FAILURE_LIMIT = 1000  # wrong codes count as failed logins: test_security's concern
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    authenticator(publisher)
    new_recovery_codes(publisher)
    fields = (
        {},
        {"challenge_device": "x"},  # a phone to call: two_factor's, not offered here
        {"wizard_goto_step": "backup"},
        {"wizard_goto_step": "bogus"},
        {"token-otp_token": "12345x"},
        {"backup-otp_token": "falsch"},
    )
    answers = {}
    for past_password, step, sent in product((False, True), (None, "auth", "token", "backup", "bogus"), fields):
        client = Client(enforce_csrf_checks=True, raise_request_exception=False)
        form = {"csrfmiddlewaretoken": client.get("/admin/login/").context["csrf_token"]}
        if past_password:
            client.post(
                "/admin/login/",
                {**form, "login_view-current_step": "auth", "username": publisher.username, "password": PASSWORD},
            )
        step_field = {} if step is None else {"login_view-current_step": step}
        answer = client.post("/admin/login/", {**form, **step_field, **sent})
        answers[past_password, step, *sent.items()] = answer.status_code
        assert "_auth_user_id" not in client.session
    assert {key: status for key, status in answers.items() if status not in (200, 400)} == {}
    # The tester's request: a device to challenge before any password. The login form again.
    client = Client()
    again = client.post("/admin/login/", {"challenge_device": "x"})
    assert again.status_code == 200 and 'name="username"' in again.content.decode()
    assert Client(enforce_csrf_checks=True).post("/admin/login/", {"challenge_device": "x"}).status_code == 403
