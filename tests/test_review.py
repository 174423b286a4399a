"""Reviewing proposed items in the admin (issue 11): the text with its evidence highlighted,
accept / edit / reject each proposal or a whole paragraph, written through the import
service: all or nothing, with the reviewer recorded."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from commitments.admin_review import highlight
from commitments.models import ActionItem

from .test_proposals import import_fictional, reference_data  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db
SLUG = "mekong-fmm19-2026"


def test_evidence_is_highlighted_and_everything_else_escaped():
    html = highlight("各国外相は<b>協力</b>することで一致した。", ["一致した", "<b>"])
    assert "<mark>一致した</mark>" in html
    assert "<mark>&lt;b&gt;</mark>" in html
    assert "<b>" not in html


@pytest.fixture
def review(reference_data, editor):  # noqa: F811
    document = import_fictional(SLUG)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(editor)
    url = reverse("admin:commitments_document_review", args=[document.pk])
    page = client.get(url)
    assert page.status_code == 200
    return document, client, url, page


def test_the_review_page_shows_each_paragraph_with_its_proposals(review):
    document, _client, _url, page = review
    html = page.content.decode()
    assert "<mark>" in html
    proposals = sum(len(s["proposals"]) for s in page.context["sections"])
    assert proposals >= 10
    assert not ActionItem.objects.filter(document=document).exists()  # nothing written yet


def test_accepting_some_and_rejecting_one_writes_exactly_those(review, editor):
    document, client, url, page = review
    data = _form(page)
    total = int(data["proposal-TOTAL_FORMS"][0])
    rejected = data["proposal-0-ref"][0]
    data.pop("proposal-0-accept", None)
    data["proposal-1-title_en"] = ["Edited by the reviewer"]
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["problems"]
    refs = set(ActionItem.objects.filter(document=document).values_list("ref", flat=True))
    assert rejected not in refs
    assert len(refs) == total - 1
    edited = ActionItem.objects.get(document=document, ref=data["proposal-1-ref"][0])
    assert edited.title_en == "Edited by the reviewer"
    assert edited.history.latest().history_user == editor


def test_a_bad_edit_writes_nothing_and_says_which_item(review):
    document, client, url, page = review
    data = _form(page)
    data["proposal-1-owners"] = ["XX"]
    response = client.post(url, data)
    assert response.status_code == 200
    assert any("XX" in problem for problem in response.context["problems"])
    assert not ActionItem.objects.filter(document=document).exists()


def test_accept_all_of_a_paragraph_keeps_its_unticked_proposals(review):
    document, client, url, page = review
    data = _form(page)
    for key in [k for k in data if k.endswith("-accept")]:
        data.pop(key)
    paragraph = data["proposal-0-paragraph"][0]
    data["accept_paragraph"] = [paragraph]
    response = client.post(url, data)
    assert response.status_code == 302
    written = set(
        ActionItem.objects.filter(document=document).values_list("paragraph__number", flat=True)
    )
    assert written == {int(paragraph)}


def test_a_focal_point_cannot_review(reference_data, focal_point):  # noqa: F811
    document = import_fictional(SLUG)
    client = Client()
    client.force_login(focal_point)
    response = client.get(reverse("admin:commitments_document_review", args=[document.pk]))
    assert response.status_code == 403


def _form(page) -> dict[str, list[str]]:
    """The review form's fields as the browser would post them (ticked boxes only)."""
    from html.parser import HTMLParser

    class Fields(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data: dict[str, list[str]] = {}
            self.select = None
            self.option_selected = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and name != "csrfmiddlewaretoken":
                if a.get("type") == "checkbox":
                    if "checked" in a:
                        self.data.setdefault(name, []).append(a.get("value", "on"))
                elif a.get("type") != "submit":
                    self.data.setdefault(name, []).append(a.get("value", ""))
            elif tag == "select" and name:
                self.select = name
                self.data.setdefault(name, [""])
            elif tag == "option" and self.select and "selected" in a:
                self.data[self.select] = [a.get("value", "")]

        def handle_endtag(self, tag):
            if tag == "select":
                self.select = None

    parser = Fields()
    parser.feed(page.content.decode())
    return parser.data
