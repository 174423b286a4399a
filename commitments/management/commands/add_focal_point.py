"""python manage.py add_focal_point USERNAME COUNTRY [COUNTRY ...] [--email E]

Makes USERNAME a focal point for the countries given by ISO code: creates the user if there
is none (without a password: it says how to set one), puts them in the Focal points group
(which makes them staff, see roles.py) and adds the countries to those they answer for.
All in one transaction; running it again changes nothing. Countries are only ever added:
take one away on the user's admin page.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from commitments.models import Country, FocalPoint
from commitments.roles import FOCAL_POINTS, sync_roles


class Command(BaseCommand):
    help = "Make a user (created if missing) the focal point for one or more countries."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "countries", nargs="+", metavar="COUNTRY", help="ISO 3166-1 alpha-2 codes, e.g. TM KZ."
        )
        parser.add_argument("--email", default="", help="The user's e-mail address.")

    def handle(self, *args, username: str, countries: list[str], email: str, **options):
        username = username.strip()
        if not username:
            raise CommandError(_("Give a user name."))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(
                    _("“%(email)s” is not an e-mail address.") % {"email": email}
                ) from None
        codes = sorted({code.strip().upper() for code in countries})
        found = {country.code: country for country in Country.objects.filter(code__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise CommandError(
                _(
                    "Unknown country code(s): %(codes)s. Use ISO 3166-1 alpha-2 codes of "
                    "countries in the database, e.g. TM or KZ. Nothing was changed."
                )
                % {"codes": ", ".join(unknown)}
            )

        with transaction.atomic():
            user, created = self.user(username, email)
            group = Group.objects.filter(name=FOCAL_POINTS).first()
            if group is None:
                sync_roles()
                group = Group.objects.get(name=FOCAL_POINTS)
            user.groups.add(group)  # makes them staff (roles.py)
            focal_point, _created = FocalPoint.objects.get_or_create(user=user)
            focal_point.countries.add(*found.values())
            answers_for = sorted(focal_point.countries.values_list("code", flat=True))

        if created:
            self.stdout.write(_("Created the user %(username)s.") % {"username": username})
        self.stdout.write(
            _("%(username)s is a focal point for: %(codes)s.")
            % {"username": username, "codes": ", ".join(answers_for)}
        )
        if not user.has_usable_password():
            self.stdout.write(
                _(
                    "%(username)s has no password yet and cannot sign in. Set one with:\n"
                    "    python manage.py changepassword %(username)s"
                )
                % {"username": username}
            )

    def user(self, username: str, email: str):
        model = get_user_model()
        user = model.objects.filter(username=username).first()
        if user is None:
            user = model(username=username, email=email)
            user.set_unusable_password()
            user.save()
            return user, True
        if email and user.email != email:
            user.email = email
            user.save(update_fields=["email"])
        return user, False
