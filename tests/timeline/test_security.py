"""Guessing admin passwords is slow and noticed: failed logins are limited per account and per
address (django-axes), a lock-out is logged and a superuser lifts it."""

import datetime
import logging

import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from tests.conftest import authenticator, log_in_verified, totp_code
from timeline.two_step import new_recovery_codes

PASSWORD = "ein-langes-passwort-7"
FIXTURE_PASSWORD = "pw-for-tests-only"  # the editor's and publisher's (tests/conftest.py)


def login(client: Client, username: str, password: str, address: str = "203.0.113.5", **headers):
    return client.post(
        "/admin/login/?next=/admin/",
        {"login_view-current_step": "auth", "username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
    )


def enter(client: Client, step: str, code: str, address: str):
    """The login's second step: the app's code ("token") or a recovery code ("backup")."""
    return client.post(
        "/admin/login/?next=/admin/", {"login_view-current_step": step, f"{step}-otp_token": code}, REMOTE_ADDR=address
    )


def test_after_five_wrong_passwords_an_account_is_locked_from_every_address_until_a_superuser_lifts_it(db, caplog):
    User.objects.create_user("redakteurin", password=PASSWORD, is_staff=True)
    client = Client()
    caplog.set_level(logging.WARNING, logger="timeline.security")
    # A guesser who changes address on every try (a botnet): the account's count holds.
    answers = [login(client, "redakteurin", f"rate-{n}", address=f"198.51.100.{n}") for n in range(20)]
    assert [answer.status_code for answer in answers] == [200] * 4 + [429] * 16
    locked = answers[-1]
    assert int(locked["Retry-After"]) == 15 * 60
    assert locked["Cache-Control"] == "no-store"  # about one account and address: kept by no cache
    assert "Zu viele fehlgeschlagene Anmeldungen" in locked.content.decode()
    assert "redakteurin" not in locked.content.decode()
    # The right password does not let in either, from any address, and the page is in the
    # reader's language.
    right = login(client, "redakteurin", PASSWORD, address="192.0.2.44", headers={"accept-language": "en"})
    assert right.status_code == 429 and "_auth_user_id" not in client.session
    assert "Too many failed logins for this account or from this address" in right.content.decode()
    # Noticed: each refusal is on the console log, naming the account, and every failure is kept.
    refusals = [record.getMessage() for record in caplog.records if record.name == "timeline.security"]
    assert len(refusals) == 17 and "'redakteurin'" in refusals[0] and "198.51.100.4" in refusals[0]
    assert AccessFailureLog.objects.filter(username="redakteurin").count() == 5
    # A superuser lifts the lock in the admin: the account's access attempts, deleted.
    superuser = log_in_verified(Client(), User.objects.create_superuser("chefin", password="pw"))
    listing = superuser.get("/admin/axes/accessattempt/", {"q": "redakteurin"})
    assert listing.status_code == 200 and "redakteurin" in listing.content.decode()
    attempts = list(AccessAttempt.objects.filter(username="redakteurin").values_list("pk", flat=True))
    deleted = superuser.post(
        "/admin/axes/accessattempt/", {"action": "delete_selected", "_selected_action": attempts, "post": "yes"}
    )
    assert deleted.status_code == 302 and not AccessAttempt.objects.exists()
    assert login(client, "redakteurin", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"]


def test_a_lock_out_lapses_after_fifteen_minutes_however_often_the_guesser_keeps_trying(db):
    User.objects.create_user("redakteurin", password=PASSWORD, is_staff=True)
    client, start = Client(), timezone.now()
    for minute in range(5):
        with time_machine.travel(start + datetime.timedelta(minutes=minute)):
            login(client, "redakteurin", "falsch")
    # Trying on during the lock-out neither counts nor extends it.
    for minute in range(5, 19, 2):
        with time_machine.travel(start + datetime.timedelta(minutes=minute)):
            assert login(client, "redakteurin", "falsch").status_code == 429
    with time_machine.travel(start + datetime.timedelta(minutes=19, seconds=30)):
        assert login(client, "redakteurin", PASSWORD).status_code == 302


def test_after_five_failed_logins_from_one_address_every_account_is_locked_there_until_axes_reset(db):
    User.objects.create_user("herausgeberin", password=PASSWORD, is_staff=True)
    client = Client()
    # One address trying one password on many accounts: the address's count holds.
    for name in ("admin", "root", "presse", "redaktion", "webmaster"):
        assert login(client, name, "Sommer2025!", address="203.0.113.9").status_code in (200, 429)
    assert login(client, "herausgeberin", PASSWORD, address="203.0.113.9").status_code == 429
    # The account itself is not locked: from elsewhere its password works.
    assert login(Client(), "herausgeberin", PASSWORD, address="192.0.2.10").status_code == 302
    call_command("axes_reset", verbosity=0)
    assert login(client, "herausgeberin", PASSWORD, address="203.0.113.9").status_code == 302


def test_a_forged_x_forwarded_for_does_not_change_the_address_counted_behind_one_proxy(db):
    # The proxy (TRUSTED_PROXIES=1) appends the address it saw; what the client wrote before it is
    # the client's own word.
    client = Client()
    for n in range(5):
        login(client, f"konto-{n}", "falsch", address="127.0.0.1", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 203.0.113.77")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.77"}
    forged = login(client, "konto-9", "falsch", address="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.77")
    assert forged.status_code == 429


def test_a_session_past_the_password_is_refused_at_the_code_once_its_account_or_its_address_is_locked(
    publisher, editor, caplog
):
    caplog.set_level(logging.WARNING, logger="timeline.security")
    apps = {user: authenticator(user) for user in (publisher, editor)}
    waiting, neighbour = Client(), Client()
    assert login(waiting, "herausgeberin", FIXTURE_PASSWORD, address="192.0.2.1").status_code == 200
    assert login(neighbour, "redakteurin", FIXTURE_PASSWORD, address="203.0.113.9").status_code == 200
    # Meanwhile the publisher's account is guessed from elsewhere, and from the editor's address
    # other accounts are.
    for n in range(5):
        login(Client(), "herausgeberin", "falsch", address=f"198.51.100.{n}")
        login(Client(), f"konto-{n}", "falsch", address="203.0.113.9")
    for client, user, address in ((waiting, publisher, "192.0.2.1"), (neighbour, editor, "203.0.113.9")):
        refused = enter(client, "token", totp_code(apps[user]), address)
        assert refused.status_code == 429 and "no-store" in refused["Cache-Control"]
        assert "Zu viele fehlgeschlagene Anmeldungen" in refused.content.decode()
        assert "_auth_user_id" not in client.session
    refusals = [record.getMessage() for record in caplog.records if record.name == "timeline.security"]
    assert any("'herausgeberin'" in line and "192.0.2.1" in line for line in refusals)


def test_wrong_app_and_recovery_codes_count_as_failed_logins_and_the_fifth_locks_account_and_address(
    publisher, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's own pause after a wrong code: not this test's
    app = authenticator(publisher)
    new_recovery_codes(publisher)
    client = Client()
    login(client, "herausgeberin", FIXTURE_PASSWORD, address="192.0.2.1")
    wrong = f"{(int(totp_code(app)) + 1) % 10**6:06d}"
    answers = [enter(client, "token", wrong, "192.0.2.1") for _ in range(3)]
    client.post("/admin/login/", {"login_view-current_step": "token", "wizard_goto_step": "backup"})
    answers += [enter(client, "backup", "falsch12", "192.0.2.1") for _ in range(2)]
    assert [answer.status_code for answer in answers] == [200] * 4 + [429]
    # Kept like wrong passwords, without the codes typed.
    assert AccessFailureLog.objects.filter(username="herausgeberin", ip_address="192.0.2.1").count() == 5
    assert "falsch12" not in AccessAttempt.objects.get(username="herausgeberin").post_data
    # Locked: the right code, the password from elsewhere, any account from this address.
    assert enter(client, "token", totp_code(app), "192.0.2.1").status_code == 429
    assert login(Client(), "herausgeberin", FIXTURE_PASSWORD, address="198.51.100.7").status_code == 429
    assert login(Client(), "jemand", "falsch", address="192.0.2.1").status_code == 429
    assert "_auth_user_id" not in client.session
