"""Public addresses carry their language as their first segment (/ja/…, /en/…; tracker/urls.py).
The one place that takes it off."""

from django.utils import translation


def split_language(address: str) -> tuple[str | None, str]:
    """`/ja/items/?country=TM` → `("ja", "/items/?country=TM")`; an address whose first segment
    is no site language comes back whole, with None."""
    language = translation.get_language_from_path(address.split("?", 1)[0])
    if language is None:
        return None, address
    return language, address[len(language) + 1 :] or "/"
