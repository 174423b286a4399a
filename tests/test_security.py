"""The production configuration and the defences it switches on: settings that refuse to
start half-configured, `check --deploy`, security headers, HTTPS, sign-in throttling
(django-axes), the import's upload limit and error pages that give nothing away. Backups are
tested in test_backup.py."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from commitments import views
from commitments.models import ActionItem

from .conftest import PASSWORD
from .factories import ActionItemFactory, ParagraphFactory
from .urls import en, ja

SOURCE = "https://www.mofa.go.jp/mofaj/area/centralasia/page1_000001.html"


# Settings: refuse to start half-configured.


def run_manage(*args: str, **environment: str) -> subprocess.CompletedProcess:
    """manage.py in a fresh interpreter whose environment holds only what is given."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": "/tmp", **environment}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def production_environment(**changes: str) -> dict[str, str]:
    """The documented production environment: a long random key, the site's host, no DEBUG."""
    return {
        "SECRET_KEY": secrets.token_urlsafe(45),
        "ALLOWED_HOSTS": "tracker.example.org",
    } | changes


def test_the_production_secret_key_is_sixty_random_characters():
    key = production_environment()["SECRET_KEY"]
    assert len(key) == 60
    assert key != production_environment()["SECRET_KEY"]


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("SECRET_KEY", "SECRET_KEY is not set"),
        ("ALLOWED_HOSTS", "ALLOWED_HOSTS is not set"),
    ],
)
def test_settings_refuse_to_load_without(missing, message):
    environment = production_environment()
    del environment[missing]

    result = run_manage("check", **environment)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert message in result.stderr


def test_settings_refuse_a_debug_value_they_cannot_read():
    result = run_manage("check", **production_environment(DEBUG="maybe"))

    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_development_needs_neither_key_nor_hosts_when_debug_is_on():
    result = run_manage("check", DEBUG="true")

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_finds_no_issues_in_the_documented_production_environment():
    result = run_manage("check", "--deploy", **production_environment())

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_would_report_debug_left_on():
    """The check above can fail: the same environment with DEBUG on is reported."""
    result = run_manage("check", "--deploy", **production_environment(DEBUG="true"))

    assert "security.W018" in result.stdout + result.stderr


# Headers and HTTPS.

PAGES = [ja("/"), en("/items/"), "/admin/login/"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_response_carries_a_strict_content_security_policy(client, url):
    response = client.get(url)

    assert response.status_code == 200
    policy = response["Content-Security-Policy"]
    directives = dict(
        (part.split()[0], part.split()[1:]) for part in policy.split(";") if part.strip()
    )
    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_every_response_forbids_framing_and_leaking_the_referrer(client, url):
    response = client.get(url)

    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
@pytest.mark.parametrize("url", [ja("/"), ja("/items/"), en("/documents/")])
def test_public_pages_have_no_inline_script_or_style_the_policy_would_block(client, url):
    html = client.get(url).content.decode()

    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # only scripts from files
    assert "<style" not in html
    assert " style=" not in html


@pytest.mark.django_db
# Before anything else: an address without a language is sent to HTTPS as it is.
@pytest.mark.parametrize("url", [en("/items/?country=TM"), "/items/?country=TM", "/admin/"])
def test_with_production_settings_http_is_redirected_to_https(client, settings, url):
    settings.SECURE_SSL_REDIRECT = True  # the production default, turned off in conftest.py

    response = client.get(url)

    assert response.status_code == 301
    assert response["Location"] == f"https://testserver{url}"


@pytest.mark.django_db
def test_with_production_settings_https_answers_with_strict_transport_security(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(ja("/"), secure=True)

    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


# Signing in: cookies and throttling (django-axes).

LOGIN_URL = "/admin/login/"


def sign_in(client: Client, username: str, password: str, **extra):
    """The admin's sign-in form, as a browser posts it."""
    return client.post(
        LOGIN_URL,
        {"username": username, "password": password, "next": "/admin/"},
        secure=True,
        HTTP_ACCEPT_LANGUAGE="en",
        **extra,
    )


def is_signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_the_right_password_signs_staff_in_with_secure_cookies(client, role_editor):
    response = sign_in(client, role_editor.username, PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert is_signed_in(client)
    session_cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session_cookie["secure"] is True
    assert session_cookie["httponly"] is True


@pytest.mark.django_db
def test_four_wrong_passwords_do_not_lock_the_account(client, role_editor):
    for _attempt in range(4):
        assert sign_in(client, role_editor.username, "wrong-password").status_code == 200

    assert sign_in(client, role_editor.username, PASSWORD).status_code == 302
    assert is_signed_in(client)


@pytest.mark.django_db
def test_after_five_wrong_passwords_even_the_right_one_is_refused(client, role_editor):
    answers = [sign_in(client, role_editor.username, "wrong-password") for _attempt in range(5)]
    # The first four show the form again; the fifth failure locks the account at once.
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]

    response = sign_in(client, role_editor.username, PASSWORD)

    assert response.status_code == 429
    assert "lockout.html" in [t.name for t in response.templates]
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not is_signed_in(client)
    assert client.get("/admin/", secure=True).status_code == 302  # still sent to sign in


@pytest.mark.django_db
def test_the_lockout_is_for_that_user_from_that_address_only(client, role_editor, administrator):
    for _attempt in range(5):
        sign_in(client, role_editor.username, "wrong-password")

    other_user = Client()
    assert sign_in(other_user, administrator.username, PASSWORD).status_code == 302
    other_address = Client()
    response = sign_in(other_address, role_editor.username, PASSWORD, REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 302


# Was a nuisance: every management command printed django-axes' start-up line ("AXES: BEGIN
# version …, blocking by …") on the console of whoever ran it.
def test_management_commands_print_nothing_from_django_axes():
    result = run_manage("check", **production_environment())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
    assert "AXES" not in result.stdout + result.stderr


# The import's upload limit.

IMPORT_URL = "/admin/commitments/actionitem/import/"


@pytest.fixture
def import_file_content(turkmenistan) -> bytes:
    """A valid one-row import file: a new item in an existing paragraph."""
    existing = ActionItemFactory(paragraph=ParagraphFactory(number=25), ref="25.1")
    header = "document,ref,paragraph,kind,title_ja,title_en,owners,theme"
    row = f"{existing.document.slug},25.9,25,commitment,新しい取組,A new step,TM,{existing.theme.slug}"
    return f"{header}\r\n{row}\r\n".encode()


def upload(client: Client, content: bytes):
    page = client.get(IMPORT_URL)
    assert page.status_code == 200
    return client.post(
        IMPORT_URL,
        {"import_file": SimpleUploadedFile("items.csv", content, "text/csv")},
        HTTP_ACCEPT_LANGUAGE="en",
    )


@pytest.fixture
def editor_client(client, role_editor):
    client.force_login(role_editor)
    return client


@pytest.mark.django_db
def test_an_upload_at_the_size_limit_is_read(editor_client, settings, import_file_content):
    settings.IMPORT_MAX_UPLOAD_BYTES = len(import_file_content)

    response = upload(editor_client, import_file_content)

    assert response.status_code == 200
    assert "1 new, 0 changed, 0 unchanged" in " ".join(response.content.decode().split())


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_refused_with_its_size(
    editor_client, settings, import_file_content
):
    size = len(import_file_content)
    settings.IMPORT_MAX_UPLOAD_BYTES = size - 1
    items_before = set(ActionItem.objects.values_list("pk", flat=True))

    response = upload(editor_client, import_file_content)

    assert response.status_code == 200
    text = " ".join(response.content.decode().replace("\xa0", " ").split())
    assert f"The file is {size} bytes; the largest file accepted is {size - 1} bytes." in text
    assert "import/confirm/" not in text  # nothing offered for confirmation
    assert set(ActionItem.objects.values_list("pk", flat=True)) == items_before


# Error pages give nothing away.


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "accept_language"),
    [
        # The address's language, whatever the browser prefers.
        (en("/no-such-page/"), "ja"),
        (en("/documents/no-such-document/"), "ja"),
        # No language in the address and nothing to redirect to: the reader's language.
        ("/no-such-page/", "en"),
    ],
)
def test_a_404_page_shows_no_debugging_information(client, url, accept_language):
    assert settings.DEBUG is False

    response = client.get(url, HTTP_ACCEPT_LANGUAGE=accept_language)

    assert response.status_code == 404
    html = response.content.decode()
    assert "There is no document, action item, country or theme at this address." in html
    for leak in ["Traceback", "URLconf", "tracker.urls", "DEBUG = True", "No Document matches"]:
        assert leak not in html


@pytest.mark.django_db
def test_a_500_page_shows_no_traceback_or_error_detail(monkeypatch):
    def broken_summary(*args, **kwargs):
        raise RuntimeError("connection to db-internal.example:5432 refused")

    # Whatever the dashboard computes, it renders through views.render.
    monkeypatch.setattr(views, "render", broken_summary)
    client = Client(raise_request_exception=False)

    response = client.get(ja("/"))

    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html
    for leak in ["Traceback", "RuntimeError", "db-internal", "SECRET_KEY", "DATABASES"]:
        assert leak not in html
