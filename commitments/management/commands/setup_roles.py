"""python manage.py setup_roles — create or repair the staff groups (also runs after migrate)."""

from django.core.management.base import BaseCommand

from commitments.roles import sync_roles


class Command(BaseCommand):
    help = "Create or repair the Focal points, Editors and Administrators groups."

    def handle(self, *args, **options):
        for name, count in sync_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
