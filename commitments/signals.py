"""Keep the data version (cache.py) in step with every change to the tracked data."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from .cache import bump_data_version
from .models import (
    ActionItem,
    Country,
    Document,
    Paragraph,
    Section,
    Signatory,
    StatusUpdate,
    Theme,
)

TRACKED = [ActionItem, StatusUpdate, Document, Section, Paragraph, Signatory, Theme, Country]


def _changed(sender, **kwargs) -> None:
    bump_data_version()


def _owners_changed(sender, action, **kwargs) -> None:
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_data_version()


def connect() -> None:
    for model in TRACKED:
        post_save.connect(
            _changed, sender=model, dispatch_uid=f"data-version-save-{model.__name__}"
        )
        post_delete.connect(
            _changed, sender=model, dispatch_uid=f"data-version-delete-{model.__name__}"
        )
    m2m_changed.connect(
        _owners_changed, sender=ActionItem.owners.through, dispatch_uid="data-version-owners"
    )
    m2m_changed.connect(
        _owners_changed,
        sender=Document.participants.through,
        dispatch_uid="data-version-participants",
    )
