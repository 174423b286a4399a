"""Atom feeds of status updates: all of them, one country's, one theme's."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from .models import Country, StatusUpdate, Theme

FEED_SIZE = 50


class PlainTextAtomFeed(Atom1Feed):
    """Atom whose entry summaries are plain text.

    Django's Atom1Feed marks every summary `type="html"`, so a feed reader would render a
    note's `<b>` or `<script>` as markup. Notes and source addresses are text typed by staff;
    `type="text"` has readers show them exactly as written."""

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, {**item, "description": None})
        if item["description"] is not None:
            handler.addQuickElement("summary", item["description"], {"type": "text"})


class UpdatesFeed(Feed):
    feed_type = PlainTextAtomFeed

    def title(self, obj=None):
        return _("Commitment tracker: latest status updates")

    def link(self, obj=None):
        return reverse("commitments:dashboard")

    def subtitle(self, obj=None):
        return _("Each update is dated and carries the public source it rests on.")

    def author_name(self, obj=None):
        # RFC 4287 requires an author on the feed (or on every entry): the site speaks.
        return _("Commitment tracker")

    def updates(self, obj):
        return StatusUpdate.objects.all()

    def items(self, obj=None):
        return self.updates(obj).with_item().select_related("country").newest_first()[:FEED_SIZE]

    def item_title(self, update: StatusUpdate):
        owner = f" ({update.country.code})" if update.country_id else ""
        return f"{update.item.ref} {update.item.title}: {update.get_status_display()}{owner}"

    def item_description(self, update: StatusUpdate):
        parts = [f"{update.date:%Y-%m-%d} — {update.get_status_display()}"]
        if update.note:
            parts.append(update.note)
        if update.source_url:
            parts.append(_("Source: %(url)s") % {"url": update.source_url})
        return "\n".join(parts)

    def item_link(self, update: StatusUpdate):
        return f"{update.item.get_absolute_url()}#update-{update.pk}"

    def item_pubdate(self, update: StatusUpdate):
        return update.recorded_at

    def item_updateddate(self, update: StatusUpdate):
        return update.recorded_at


class CountryUpdatesFeed(UpdatesFeed):
    def get_object(self, request, code):
        return get_object_or_404(Country, code=code.upper())

    def title(self, obj=None):
        return _("Status updates: items owned by %(country)s") % {"country": obj.name}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def updates(self, obj):
        # The country's own updates and those for whole items it owns; not another owner's.
        return StatusUpdate.objects.owned_by([obj])


class ThemeUpdatesFeed(UpdatesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Theme, slug=slug)

    def title(self, obj=None):
        return _("Status updates: %(theme)s") % {"theme": obj.name}

    def link(self, obj=None):
        return obj.get_absolute_url()

    def updates(self, obj):
        return StatusUpdate.objects.filter(item__theme=obj)
