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

from tests.conftest import log_in_verified

PASSWORD = "ein-langes-passwort-7"


def login(client: Client, username: str, password: str, address: str = "203.0.113.5", **headers):
    return client.post(
        "/admin/login/?next=/admin/",
        {"login_view-current_step": "auth", "username": username, "password": password},
        REMOTE_ADDR=address,
        **headers,
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
