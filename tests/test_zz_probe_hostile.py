import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
pytestmark = [pytest.mark.django_db]

ADMINS = sorted(admin.site._registry.items(), key=lambda kv: kv[0]._meta.label)
IDS = [f"{m._meta.app_label}.{m._meta.model_name}" for m, _ in ADMINS]

GENERIC = ["pk__iregex=[", "pk__regex=(", "id=abc", "pk=abc", "pk__in=1,abc", "pk__gt=99999999999999999999", "pk__in=99999999999999999999", "pk=99999999999999999999",
 "pk__isnull=maybe", "pk__year=x", "o=abc", "o=99", "o=-", "o=1.-", "p=abc", "p=-1", "p=99999", "all=", "q=" + "x"*3000, "_to_field=abc", "e=1", "nonexistent=1", "pk__nonsense=1",
 "date__year=9999&date__month=12&date__day=31", "date__year=9999&date__month=12", "date__year=9999", "date__year=abc", "_changelist_filters=zzz", "_popup=1&_to_field=id"]

@pytest.fixture
def su(client, django_user_model):
    u = django_user_model.objects.create_superuser("root", "r@example.org", "pw-not-real-123")
    client.force_login(u)
    return client

@pytest.mark.parametrize("query", GENERIC)
@pytest.mark.parametrize("model,ma", ADMINS, ids=IDS)
def test_changelist(su, model, ma, query):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    r = su.get(url + "?" + query, follow=True)
    assert r.status_code < 500

def text_field(model):
    for f in model._meta.concrete_fields:
        if f.get_internal_type() in ("CharField", "TextField"):
            return f.name

@pytest.mark.parametrize("model,ma", ADMINS, ids=IDS)
def test_text_regex(su, model, ma):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    f = text_field(model)
    r = su.get(url + f"?{f}__iregex=[", follow=True)
    assert r.status_code < 500

@pytest.mark.parametrize("sel", ["abc", "99999999999999999999", "-1", "1.5", ""])
@pytest.mark.parametrize("model,ma", ADMINS, ids=IDS)
def test_action(su, model, ma, sel):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    r = su.post(url, {"action": "delete_selected", "_selected_action": [sel], "index": "0"}, follow=True)
    assert r.status_code < 500

@pytest.mark.parametrize("oid", ["abc", "99999999999999999999", "-1", "1.5", "%2500"])
@pytest.mark.parametrize("view", ["history", "change", "delete"])
@pytest.mark.parametrize("model,ma", ADMINS, ids=IDS)
def test_object(su, model, ma, view, oid):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=["OID"]).replace("OID", oid)
    r = su.get(url, follow=True)
    assert r.status_code < 500

@pytest.mark.parametrize("q", ["?format=9", "?format=", "?format=abc", "?format=-1"])
def test_export(su, q):
    r = su.get("/admin/commitments/actionitem/export/" + q, follow=True)
    assert r.status_code < 500
    r = su.post("/admin/commitments/actionitem/export/", {"format": q.split("=")[1]}, follow=True)
    assert r.status_code < 500
