"""The Japanese strings of issue 10 (locale/fragments/readers.po) for tests that render pages
in Japanese, until the fragment is merged into locale/ja/LC_MESSAGES/django.po: compiled with
GNU msgfmt into a folder put first in LOCALE_PATHS. Once merged this changes nothing."""

import shutil
import subprocess

import pytest
from django.conf import settings

READERS_PO = settings.BASE_DIR / "locale" / "fragments" / "readers.po"


@pytest.fixture
def readers_catalog(settings, tmp_path):
    msgfmt = shutil.which("msgfmt")
    if msgfmt and READERS_PO.exists():
        target = tmp_path / "ja" / "LC_MESSAGES"
        target.mkdir(parents=True)
        subprocess.run([msgfmt, "-o", str(target / "django.mo"), str(READERS_PO)], check=True)
        # Changing LOCALE_PATHS makes Django drop the catalogs it has loaded.
        settings.LOCALE_PATHS = [tmp_path, *settings.LOCALE_PATHS]
    return settings.LOCALE_PATHS
