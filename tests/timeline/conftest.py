"""Fixtures of the browser tests: Playwright driving Debian's Chromium, headless, against the live
server with the seed events. Chromium is found at $CHROMIUM_PATH or /usr/bin/chromium; without it
the tests are skipped, except in CI ($CI set), where they fail.

One browser serves the whole session: Playwright's sync API runs one event loop per thread, so a
second browser fixture (one per test module) could not start beside it.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.conftest import missing

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium, one for the whole session."""
    if not Path(CHROMIUM).exists():
        missing(f"Chromium not found at {CHROMIUM} (apt-get install chromium to run the browser tests)")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still plain synchronous calls.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def site(live_server):
    """The live server with the seed events and a few dozen generated ones."""
    devnull = open(os.devnull, "w")  # noqa: SIM115
    call_command("load_seed", stdout=devnull)
    call_command("generate_events", "40", "--seed", "3", stdout=devnull)
    return live_server.url


@pytest.fixture
def page(browser, site):
    """A tab at 1280 × 900 px in German; `tab.problems` collects its console errors."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    problems: list[str] = []
    tab.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    tab.on("pageerror", lambda error: problems.append(str(error)))
    tab.problems = problems
    yield tab
    context.close()
