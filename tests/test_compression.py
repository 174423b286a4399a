"""Public pages are compressed once, when rendered, and sent compressed to browsers that
accept gzip (commitments/cache.py)."""

import gzip

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_browser_that_accepts_gzip_gets_the_same_page_compressed(bishkek):
    plain = Client().get("/en/countries/TM/")
    assert plain.status_code == 200
    assert "Content-Encoding" not in plain
    first = Client(headers={"accept-encoding": "gzip, deflate, br"}).get("/en/countries/TM/")
    again = Client(headers={"accept-encoding": "gzip"}).get("/en/countries/TM/")
    for response in (first, again):  # rendered, then from the cache
        assert response["Content-Encoding"] == "gzip"
        assert gzip.decompress(response.content) == plain.content
        assert len(response.content) < len(plain.content) / 3
        assert "accept-encoding" in response["Vary"].lower()
    assert again["X-Cache"] == "hit"
    assert "accept-encoding" in plain["Vary"].lower()  # so a proxy keeps both copies apart


def test_a_client_that_does_not_accept_gzip_gets_it_plain_from_the_cache_too(bishkek):
    Client(headers={"accept-encoding": "gzip"}).get("/ja/")  # cached, with its gzip copy
    response = Client(headers={"accept-encoding": "identity"}).get("/ja/")
    assert response["X-Cache"] == "hit"
    assert "Content-Encoding" not in response
    assert response.content.startswith(b"<!doctype html>")


def test_a_revalidated_page_answers_304_whatever_the_encoding(bishkek):
    reader = Client(headers={"accept-encoding": "gzip"})
    etag = reader.get("/ja/items/?country=TM")["ETag"]
    response = reader.get("/ja/items/?country=TM", headers={"if-none-match": etag})
    assert response.status_code == 304
    assert response.content == b""
    assert "accept-encoding" in response["Vary"].lower()


def test_a_small_answer_is_sent_as_it_is(bishkek):
    response = Client(headers={"accept-encoding": "gzip"}).get("/ja/countries/XX/")
    assert response.status_code == 404
    assert "Content-Encoding" not in response
