"""python manage.py setup_roles — create or repair the staff groups (also runs after migrate)."""

from django.core.management.base import BaseCommand
from django.utils.translation import ngettext

from commitments.roles import grant_staff_to_role_members, sync_roles


class Command(BaseCommand):
    help = "Create or repair the Focal points, Editors and Administrators groups."

    def handle(self, *args, **options):
        for name, count in sync_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
        # Members added before staff status followed the roles may lack it.
        repaired = grant_staff_to_role_members()
        if repaired:
            self.stdout.write(
                ngettext(
                    "%(n)d member of a role was given staff access.",
                    "%(n)d members of a role were given staff access.",
                    repaired,
                )
                % {"n": repaired}
            )
