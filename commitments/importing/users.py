"""Who an import from the command line is recorded as."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils.translation import gettext as _


def recorder_for(username: str, permission: str):
    """The active user named, if they hold `permission`; otherwise a CommandError that says why.

    An import is recorded as made by this person, so it must be someone who could have made it
    in the admin: not a focal point, not a deactivated account."""
    User = get_user_model()
    try:
        user = User.objects.get_by_natural_key(username)
    except User.DoesNotExist:
        raise CommandError(_("There is no user “%(name)s”.") % {"name": username}) from None
    if not user.is_active:
        raise CommandError(
            _("The user “%(name)s” is deactivated; record the import as an active user.")
            % {"name": username}
        )
    if not user.has_perm(permission):
        raise CommandError(
            _("The user “%(name)s” may not import (editors and administrators may).")
            % {"name": username}
        )
    return user
