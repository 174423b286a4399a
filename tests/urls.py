"""Public addresses in a given language, for tests.

The public site lives under its language (/ja/…, /en/…; tracker/urls.py). Tests name a page
by its path without the language, as a reader would type it, and say which language they
read it in."""

from django.conf import settings

from commitments.languages import split_language

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]
# Addresses outside the language prefixes (tracker/urls.py).
UNPREFIXED = ("/admin/", "/api/", "/healthz", "/language/", "/static/", "/favicon.ico")


def in_language(url: str, language: str = "ja") -> str:
    """`/items/?country=TM` → `/en/items/?country=TM`; a path that already carries a language
    gets `language` instead; admin, API and other unprefixed addresses are left alone."""
    scheme_host = ""
    if url.startswith(("http://", "https://")):
        cut = url.index("/", url.index("//") + 2)
        scheme_host, url = url[:cut], url[cut:]
    if url.startswith(UNPREFIXED) or not url.startswith("/"):
        return scheme_host + url
    return f"{scheme_host}/{language}{split_language(url)[1]}"


def en(url: str) -> str:
    return in_language(url, "en")


def ja(url: str) -> str:
    return in_language(url, "ja")
