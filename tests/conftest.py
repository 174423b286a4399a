"""Shared fixtures: the test environment, and who is using the site."""

import os
from pathlib import Path

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.cache import cache
from django.utils import translation

from commitments.models import Country, FocalPoint
from commitments.roles import ADMINISTRATORS, EDITORS, FOCAL_POINTS

# The browser tests' shared Chromium fixture (one browser per test module).
pytest_plugins = ["tests.browsing"]

PASSWORD = "not-a-real-password-42"


def pytest_configure(config):
    """A fast password hasher: every test that makes a user would otherwise spend ~0.4 s
    hashing its password with PBKDF2. Production keeps Django's default."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_test_environment(settings):
    """The test client speaks plain HTTP and nothing runs collectstatic, so the production
    defaults (HTTPS redirect, manifest static storage) would turn every page into an error."""
    settings.SECURE_SSL_REDIRECT = False
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Every test rolls its data back, so data versions repeat from test to test: start each
    # test with an empty page cache (commitments/cache.py).
    cache.clear()
    # A request leaves its language active in the thread (LocaleMiddleware), so reverse() in
    # the next test would name /en/ pages after an English one: start every test in the
    # default language, as a fresh process would.
    with translation.override(settings.LANGUAGE_CODE):
        yield


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where the browser tests save their screenshots: a temporary folder, so that a test run
    leaves the working tree as it was. `SCREENSHOTS_DIR=docs/screenshots` refreshes the
    gallery on purpose (`make screenshots-from-tests`); admin pages go to its admin/."""
    chosen = os.environ.get("SCREENSHOTS_DIR")
    return Path(chosen).resolve() if chosen else tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def editor(django_user_model):
    """A staff member holding every permission of the commitments app, but not a superuser.

    Its group is not one of the project's roles (commitments.roles), so that these tests
    exercise the permission checks themselves rather than one role's choices."""
    group, _created = Group.objects.get_or_create(name="All commitments permissions")
    group.permissions.set(Permission.objects.filter(content_type__app_label="commitments"))
    user = django_user_model.objects.create_user(
        username="editor.aigul", password="not-a-real-password", is_staff=True
    )
    user.groups.add(group)
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def _staff(django_user_model, username: str, role: str):
    user = django_user_model.objects.create_user(
        username=username, password=PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def role_editor(django_user_model):
    """A member of the project's Editors group (created by migrate)."""
    return _staff(django_user_model, "editor.nurlan", EDITORS)


@pytest.fixture
def administrator(django_user_model):
    """A member of the Administrators group, not a superuser."""
    return _staff(django_user_model, "admin.kenji", ADMINISTRATORS)


@pytest.fixture
def turkmenistan(db):
    return Country.objects.get_or_create(
        code="TM", defaults={"name_en": "Turkmenistan", "name_ja": "トルクメニスタン"}
    )[0]


@pytest.fixture
def focal_point(django_user_model, turkmenistan):
    """Turkmenistan's focal point: may update only items Turkmenistan owns."""
    user = _staff(django_user_model, "focal.tm", FOCAL_POINTS)
    FocalPoint.objects.create(user=user).countries.set([turkmenistan])
    return user


@pytest.fixture
def outsider(django_user_model):
    """Signed in, but not staff: the admin is closed to them."""
    return django_user_model.objects.create_user(username="outsider", password=PASSWORD)


@pytest.fixture(scope="module")
def bishkek(django_db_setup, django_db_blocker):
    """The shipped countries, themes and 2014 statement, loaded once for a module."""
    from django.core.management import call_command

    from tests.data import FIXTURES, remove_tracker_rows

    with django_db_blocker.unblock():
        call_command("loaddata", *FIXTURES, verbosity=0)
    yield
    with django_db_blocker.unblock():
        remove_tracker_rows()
