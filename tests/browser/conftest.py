"""Browser tests: Playwright drives Debian's chromium (/usr/bin/chromium) against gunicorn.

Playwright's own browser download cannot work on these machines, so we point it at the
system chromium that `make test` installs. *.localhost resolves to the loopback address
inside chromium, so tenant hosts work without DNS.
"""

import os
import shutil

import pytest

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls our
# fixtures make are still plain synchronous calls (Playwright's documented advice for Django).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(
        locale="en-US", viewport={"width": 390, "height": 844}
    )  # a phone, English OS
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def site_url(web_server):
    def url(slug: str, path: str = "/") -> str:
        from django.conf import settings

        return f"http://{slug}.{settings.PARKHUB_BASE_DOMAIN}:{web_server}{path}"

    return url
