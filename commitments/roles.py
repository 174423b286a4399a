"""The three staff roles as Django groups, and the checks the admin asks of them.

* Focal points: see everything in the admin; change only items one of their countries owns,
  and only by adding status updates (with notes and sources); export; nothing else.
* Editors: edit documents, paragraphs, items and status updates; import and export; no user
  management; cannot delete records that carry status updates.
* Administrators: everything, users and roles included.

`sync_roles()` creates or repairs the groups; it runs after every `migrate` and from
`manage.py setup_roles`, and can be run any number of times.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

FOCAL_POINTS = "Focal points"
EDITORS = "Editors"
ADMINISTRATORS = "Administrators"

APP = "commitments"
EDITED_BY_EDITORS = ["document", "section", "paragraph", "signatory", "actionitem", "theme"]


def _perms(*codenames: str) -> list[Permission]:
    q = Q()
    for codename in codenames:
        app, _, name = codename.rpartition(".")
        q |= Q(content_type__app_label=app or APP, codename=name)
    return list(Permission.objects.filter(q))


def role_permissions() -> dict[str, list[Permission]]:
    app_models = [
        "country",
        "theme",
        "document",
        "section",
        "paragraph",
        "signatory",
        "actionitem",
        "statusupdate",
        "focalpoint",
    ]
    view_all = [f"view_{model}" for model in app_models]
    editor = [*view_all, "add_statusupdate", "import_actionitem", "export_actionitem"]
    for model in EDITED_BY_EDITORS:
        editor += [f"add_{model}", f"change_{model}", f"delete_{model}"]
    return {
        FOCAL_POINTS: _perms(
            *view_all, "change_actionitem", "add_statusupdate", "export_actionitem"
        ),
        EDITORS: _perms(*editor),
        ADMINISTRATORS: list(
            Permission.objects.filter(content_type__app_label__in=[APP, "auth", "axes", "admin"])
        ),
    }


def sync_roles(**_kwargs) -> dict[str, int]:
    """Create the groups and give each exactly its permissions. Returns permission counts."""
    counts = {}
    for name, permissions in role_permissions().items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(permissions)
        counts[name] = len(permissions)
    return counts


def is_administrator(user) -> bool:
    """May delete records that have status updates, and manage users."""
    return user.is_active and (
        user.is_superuser or user.groups.filter(name=ADMINISTRATORS).exists()
    )


def focal_countries(user) -> set[int] | None:
    """The country ids a focal point answers for; None for staff who are not focal points."""
    if user.is_superuser:
        return None
    if not hasattr(user, "_focal_countries"):
        profile = getattr(user, "focal_point", None)
        in_group = user.groups.filter(name=FOCAL_POINTS).exists()
        if not in_group:
            user._focal_countries = None
        else:
            user._focal_countries = (
                set(profile.countries.values_list("pk", flat=True)) if profile else set()
            )
    return user._focal_countries


def may_change_item(user, item) -> bool:
    """A focal point may change an item only if one of their countries owns it."""
    countries = focal_countries(user)
    if countries is None:
        return user.has_perm(f"{APP}.change_actionitem")
    if item is None:
        return bool(countries)
    return bool(countries & {owner.pk for owner in item.owners.all()})
