"""Caching of public pages, keyed by the data version so nothing stale is ever served.

Every change to the tracked data bumps `DataVersion` inside the transaction that makes the
change (signals.py). A page is cached under (data version, language, day, path): once a
change commits, every process computes a new key, so the next request renders fresh data.
Signed-in users always get a fresh render."""

from __future__ import annotations

import hashlib
from functools import wraps

from django.core.cache import cache
from django.db.models import F
from django.http import HttpResponse
from django.utils.translation import get_language

from .models import DataVersion
from .querysets import today

CACHE_SECONDS = 60 * 60


def data_version() -> int:
    version = DataVersion.objects.filter(pk=1).values_list("version", flat=True).first()
    if version is None:
        DataVersion.objects.get_or_create(pk=1)
        return 0
    return version


def bump_data_version() -> None:
    if not DataVersion.objects.filter(pk=1).update(version=F("version") + 1):
        DataVersion.objects.get_or_create(pk=1, defaults={"version": 1})


def cached_page(view):
    """Serve an anonymous GET from cache while the data it shows has not changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method != "GET" or request.user.is_authenticated:
            return view(request, *args, **kwargs)
        raw = f"{data_version()}|{get_language()}|{today().isoformat()}|{request.get_full_path()}"
        key = "page:" + hashlib.sha256(raw.encode()).hexdigest()
        hit = cache.get(key)
        if hit is not None:
            content, status, content_type = hit
            response = HttpResponse(content, status=status, content_type=content_type)
            response["X-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 400) and not response.streaming:
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            cache.set(
                key,
                (response.content, response.status_code, response["Content-Type"]),
                CACHE_SECONDS,
            )
        return response

    return wrapper
