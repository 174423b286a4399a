"""The three staff roles as Django groups, and the checks the admin asks of them.

* Focal points: see everything in the admin; change only items one of their countries owns,
  and only by adding status updates (with notes and sources); export; nothing else.
* Editors: edit documents, paragraphs, items and status updates; import and export; no user
  management; cannot delete records that carry status updates.
* Administrators: everything, users and roles included.

`sync_roles()` creates or repairs the groups; it runs after every `migrate` and from
`manage.py setup_roles`, and can be run any number of times.

Staff status follows the roles, whichever way a membership is made (the user's admin page,
`user.groups.add`, `group.user_set.add`, a command): joining a role makes a user staff, and
leaving the last role takes staff access away. Superusers are never touched, and groups that
are not roles leave staff status as it was set by hand (see `connect_signals`).

The groups' stored names stay English, because code and scripts look them up by name; people
see them translated (`group_label`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models import Exists, OuterRef, Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

FOCAL_POINTS = "Focal points"
EDITORS = "Editors"
ADMINISTRATORS = "Administrators"
ROLES = (FOCAL_POINTS, EDITORS, ADMINISTRATORS)

# What people see for each stored group name.
ROLE_LABELS = {
    FOCAL_POINTS: _("Focal points"),
    EDITORS: _("Editors"),
    ADMINISTRATORS: _("Administrators"),
}

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


def group_label(group: Group | str) -> str:
    """A group's name as people read it: a role's in their language, any other group's as is."""
    name = group.name if isinstance(group, Group) else group
    return str(ROLE_LABELS.get(name, name))


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


def item_change_refusal(user, item) -> str:
    """Why `user` may not change `item`, in the reader's language (for a 403 page)."""
    countries = focal_countries(user)
    if countries is None:
        return gettext("Your role does not allow changing action items.")
    if not countries:
        return gettext(
            "You are a focal point, but no country has been given to you yet. "
            "Ask an administrator to add your countries on your user page."
        )
    from .models import Country

    return gettext(
        "You may change only items that one of your countries owns (%(yours)s); "
        "this item is owned by %(owners)s."
    ) % {
        "yours": ", ".join(Country.objects.filter(pk__in=countries).values_list("code", flat=True)),
        "owners": ", ".join(owner.code for owner in item.owners.order_by("code")) or "—",
    }


# Staff status follows the roles.


def grant_staff_to_role_members(user_ids=None) -> int:
    """Make every member of a role staff (of `user_ids` only, if given); superusers aside.
    Returns how many users changed."""
    users = get_user_model().objects.filter(
        is_superuser=False, is_staff=False, groups__name__in=ROLES
    )
    if user_ids is not None:
        users = users.filter(pk__in=user_ids)
    return get_user_model().objects.filter(pk__in=users.values("pk")).update(is_staff=True)


def _revoke_staff_without_role(user_ids) -> int:
    """Take staff access from those of `user_ids` who are in no role any more."""
    return (
        get_user_model()
        .objects.filter(pk__in=user_ids, is_superuser=False, is_staff=True)
        .exclude(groups__name__in=ROLES)
        .update(is_staff=False)
    )


def _memberships_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    if action not in {"post_add", "post_remove", "pre_clear", "post_clear"}:
        return
    if reverse:
        # group.user_set.add(...) and friends: the instance is the group.
        if instance.name not in ROLES:
            return
        if action == "pre_clear":
            instance._members_before_clear = list(instance.user_set.values_list("pk", flat=True))
            return
        if action == "post_clear":
            user_ids = instance.__dict__.pop("_members_before_clear", [])
        else:
            user_ids = list(pk_set)
    else:
        # user.groups.add(...) and friends, and the user's admin page: the instance is the user.
        if action == "pre_clear":
            instance._had_role_before_clear = instance.groups.filter(name__in=ROLES).exists()
            return
        if action == "post_clear":
            if not instance.__dict__.pop("_had_role_before_clear", False):
                return
        elif not Group.objects.filter(pk__in=pk_set, name__in=ROLES).exists():
            return
        user_ids = [instance.pk]
    if action == "post_add":
        grant_staff_to_role_members(user_ids)
    else:
        _revoke_staff_without_role(user_ids)
    if not reverse:
        # Keep the caller's object in step, so that its next save() does not undo this.
        instance.is_staff = (
            type(instance).objects.filter(pk=instance.pk).values_list("is_staff", flat=True).get()
        )


def _user_saved(sender, instance, created, raw, update_fields=None, **kwargs) -> None:
    # A member of a role is staff even if someone unticked "Staff status": to take admin
    # access away, remove the roles (or untick "Active" to suspend the account).
    if created or raw or instance.is_staff or instance.is_superuser:
        return
    if update_fields is not None and not {"is_staff", "is_superuser"} & set(update_fields):
        return
    if grant_staff_to_role_members([instance.pk]):
        instance.is_staff = True


def _role_deleting(sender, instance, **kwargs) -> None:
    if instance.name in ROLES:
        instance._members_before_delete = list(instance.user_set.values_list("pk", flat=True))


def _role_deleted(sender, instance, **kwargs) -> None:
    members = instance.__dict__.pop("_members_before_delete", None)
    if members:
        _revoke_staff_without_role(members)


def connect_signals() -> None:
    user_model = get_user_model()
    m2m_changed.connect(
        _memberships_changed, sender=user_model.groups.through, dispatch_uid="roles-make-staff"
    )
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="roles-keep-staff")
    pre_delete.connect(_role_deleting, sender=Group, dispatch_uid="roles-group-deleting")
    post_delete.connect(_role_deleted, sender=Group, dispatch_uid="roles-group-deleted")


def update_countries_for(user, item) -> tuple[list, bool]:
    """What `user` may record a status update for on `item`: the owner countries they may
    speak for, and whether they may speak for the item as a whole. Focal points speak for
    their own countries only; editors and administrators for any owner, or the whole item."""
    owners = list(item.owners.all())
    countries = focal_countries(user)
    if countries is None:
        allowed = user.has_perm(f"{APP}.add_statusupdate")
        return (owners if allowed else []), allowed
    return [owner for owner in owners if owner.pk in countries], False


def fixable_updates(user) -> Q:
    """The status updates `user` may correct or retract, as a filter on StatusUpdate: those
    they could have recorded (`update_countries_for`). A focal point's are their own
    countries' updates on items those countries still own, never a whole-item update nor
    another owner's; editors and administrators may fix any."""
    countries = focal_countries(user)
    if countries is None:
        # Always true or always false, as a condition the database can also annotate with.
        return Q(pk__isnull=not user.has_perm(f"{APP}.add_statusupdate"))
    from .models import ActionItem

    still_owned = ActionItem.owners.through.objects.filter(
        actionitem_id=OuterRef("item_id"), country_id=OuterRef("country_id")
    )
    return Q(Exists(still_owned), country_id__in=countries)
