"""Vocabularies used by the models, with the behaviour the pages need attached to each value."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    """Where an action item stands, as public sources show it."""

    NOT_ASSESSED = "not_assessed", _("Not yet assessed")
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    STALLED = "stalled", _("Stalled")
    COMPLETED = "completed", _("Completed")
    ONGOING = "ongoing", _("Ongoing")
    NO_EVIDENCE = "no_evidence", _("No evidence found")
    DROPPED = "dropped", _("Dropped")

    @classmethod
    def closed(cls) -> frozenset["Status"]:
        """Statuses under which an item can no longer be overdue."""
        return frozenset({cls.COMPLETED, cls.ONGOING, cls.DROPPED})

    @property
    def is_closed(self) -> bool:
        return self in self.closed()

    @property
    def css_class(self) -> str:
        """The class the templates use for this status's badge and bar segment."""
        return "status-" + self.value.replace("_", "-")

    @classmethod
    def display_order(cls) -> list["Status"]:
        """The order of bar segments: finished work first, untouched work last."""
        return [
            cls.COMPLETED,
            cls.ONGOING,
            cls.IN_PROGRESS,
            cls.NOT_STARTED,
            cls.STALLED,
            cls.DROPPED,
            cls.NO_EVIDENCE,
            cls.NOT_ASSESSED,
        ]


class Kind(models.TextChoices):
    """What sort of undertaking a line of the text is."""

    COMMITMENT = "commitment", _("Commitment")
    SCHEDULED_EVENT = "scheduled_event", _("Scheduled event")
    ONGOING_COOPERATION = "ongoing_cooperation", _("Ongoing cooperation")
    ACKNOWLEDGEMENT = "acknowledgement", _("Acknowledgement")


class DuePrecision(models.TextChoices):
    """How exactly the text fixes a date: the due date is the last day of that period."""

    DAY = "day", _("Day")
    MONTH = "month", _("Month")
    YEAR = "year", _("Year")


class DocumentKind(models.TextChoices):
    JOINT_STATEMENT = "joint_statement", _("Joint statement")
    DECLARATION = "declaration", _("Declaration")
    ROAD_MAP = "road_map", _("Road map")
    ACTION_PLAN = "action_plan", _("Action plan")
    OTHER = "other", _("Other")


class Strength(models.TextChoices):
    """How firmly the text commits, read from its diplomatic verb; firmest first."""

    DECISION = "decision", _("Decision")
    INTENTION = "intention", _("Intention")
    AGREEMENT = "agreement", _("Agreement")
    SUPPORT = "support", _("Support")
    WELCOME = "welcome", _("Welcome")
    NOTE = "note", _("Note")

    @classmethod
    def firm(cls) -> frozenset["Strength"]:
        """The strengths counted as firm commitments on the dashboard."""
        return frozenset({cls.DECISION, cls.INTENTION, cls.AGREEMENT})

    @property
    def rank(self) -> int:
        """0 for the firmest; used to sort by strength."""
        return list(type(self)).index(self)
