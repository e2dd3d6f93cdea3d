"""Two-step verification in a real browser (fixtures in tests/conftest.py): a publisher logs in
on a phone, with the keyboard only, with the password and the authenticator app's code."""

from types import SimpleNamespace

import pytest
from django_otp.plugins.otp_totp import models as otp_totp_models

from tests.conftest import authenticator, totp_code
from tests.timeline.test_browser import screenshot

# Transactional: the live server runs in another thread (see test_browser.py).
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# The moment the test's clock stands still: 15 June 2025, 15:06:40 UTC.
FIXED = 1_750_000_000.0


@pytest.fixture
def fixed_otp_clock(monkeypatch):
    """The time django-otp checks the app's codes against (a TOTP device reads `time.time()` of
    its module), fixed at FIXED for the live server, which runs in this process. Only that clock:
    sessions and cookies keep the real time the browser knows."""
    monkeypatch.setattr(otp_totp_models, "time", SimpleNamespace(time=lambda: FIXED))


def test_a_publisher_needs_the_apps_code_after_the_password_and_without_it_the_admin_stays_closed(
    browser, live_server, publisher, fixed_otp_clock, settings
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp's pause after a wrong code: its own concern
    code = totp_code(authenticator(publisher), at=FIXED)
    context = browser.new_context(locale="de-DE", viewport={"width": 360, "height": 740})
    tab = context.new_page()

    def password():
        tab.goto(f"{live_server.url}/admin/timeline/event/")
        tab.keyboard.type(publisher.username)  # the form starts in the name field
        tab.keyboard.press("Tab")
        tab.keyboard.type("pw-for-tests-only")
        tab.keyboard.press("Enter")
        tab.get_by_label("Code aus der Authenticator-App").wait_for()
        assert tab.evaluate("document.activeElement.id") == "id_token-otp_token"

    password()
    screenshot(tab, "admin-second-step-360")
    # The password alone opens nothing: the admin's index asks to log in again.
    tab.goto(f"{live_server.url}/admin/")
    assert tab.url == f"{live_server.url}/admin/login/?next=/admin/"
    assert tab.locator("#id_username").is_visible() and tab.locator("#content-main .app-timeline").count() == 0

    password()
    tab.keyboard.type(f"{(int(code) + 1) % 10**6:06d}")
    tab.keyboard.press("Enter")
    tab.get_by_text("Ungültiger Code").wait_for()
    assert "/admin/login/" in tab.url

    tab.get_by_label("Code aus der Authenticator-App").fill("")
    tab.keyboard.type(code)
    tab.keyboard.press("Enter")
    tab.wait_for_url(f"{live_server.url}/admin/timeline/event/")
    assert tab.locator("#changelist").is_visible()  # the list of events, open at last
    context.close()
