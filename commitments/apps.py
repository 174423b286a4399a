from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CommitmentsConfig(AppConfig):
    name = "commitments"
    verbose_name = _("Commitments")

    def ready(self) -> None:
        # Groups need the permissions, which Django creates after migrating; so the roles are
        # (re)synced after every migrate rather than in a migration.
        post_migrate.connect(_sync_roles_after_migrate, sender=self, dispatch_uid="sync_roles")
        from . import roles, signals, summaries

        signals.connect()
        summaries.connect()
        roles.connect_signals()


def _sync_roles_after_migrate(sender, **kwargs) -> None:
    from .roles import grant_staff_to_role_members, sync_roles

    sync_roles()
    grant_staff_to_role_members()
