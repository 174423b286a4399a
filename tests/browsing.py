"""What every browser test shares: Debian's Chromium, how it is started, and one Chromium per
test module: the `browser` fixture (a plugin of conftest.py) and `needs_chromium`.

Playwright's sync API runs an event loop in the test thread; the Django calls the tests make
themselves (fixtures, assertions on the database) are ordinary synchronous code, hence
DJANGO_ALLOW_ASYNC_UNSAFE."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium (apt-get install chromium)"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()
