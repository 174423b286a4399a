"""Signing in to the admin.

Django's admin answers a right password of an account that is not staff with the same words
as a wrong password ("enter the correct user name and password for a staff account"), so the
person tries other passwords, and those wrong ones count towards the lockout (django-axes).
This form says what is the matter instead. (The right password itself is never counted.)
"""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


class StaffAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "not_staff": _(
            "The password is right, but this account has no access to the staff pages, so "
            "there is no need to try again. Ask an administrator to give the account a role."
        ),
    }

    def confirm_login_allowed(self, user):
        AuthenticationForm.confirm_login_allowed(self, user)  # refuses inactive accounts
        if not user.is_staff:
            raise ValidationError(self.error_messages["not_staff"], code="not_staff")
