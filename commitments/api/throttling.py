"""How often one client may call the API (settings.API_THROTTLE_RATE).

A module of its own, importing nothing of DRF's views: DRF imports the throttle class named in
its settings while it builds APIView itself."""

from __future__ import annotations

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from ..cache import CACHE_ERRORS

logger = logging.getLogger(__name__)


class ClientRateThrottle(SimpleRateThrottle):
    """So many requests per client address; no limit if the setting is empty.

    The rate is read per request, not at import, so a deployment (or a test) can change it.
    The counts live in the default cache: per process without CACHE_URL, shared by every
    machine with it. If that cache cannot be reached the request is let through, so the API
    stays up while Redis is down."""

    scope = "api"

    def get_rate(self):
        return settings.API_THROTTLE_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS:
            logger.warning("The cache cannot be reached; the API is not throttled meanwhile.")
            return True
