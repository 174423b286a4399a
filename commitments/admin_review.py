"""Reviewing proposed action items in the admin: the machine proposes, a person decides.

For each paragraph of a document, the page shows the text with the words each proposal came
from highlighted, beside the proposed items as editable rows. The reviewer accepts, edits or
rejects each, or accepts a whole paragraph; the accepted rows go through the same import
service as a CSV file (importing/items.py): all or nothing, audited, with the reviewer as the
recorded user.
"""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .forms import ProposalFormSet
from .importing.items import IMPORTED_COLUMNS, import_items
from .importing.tabular import Cell, Row, Table
from .ingestion.proposer import propose_for_document
from .models import Document

REVIEWED_COLUMNS = [
    "paragraph",
    "ref",
    "kind",
    "strength",
    "title_ja",
    "title_en",
    "owners",
    "theme",
    "starts_on",
    "due_date",
    "due_precision",
    "due_text",
]


def highlight(text: str, phrases: list[str]) -> str:
    """The paragraph as HTML, every evidence phrase in <mark>; everything else escaped."""
    wanted = sorted({p for p in phrases if p and p in text}, key=len, reverse=True)
    if not wanted:
        return escape(text)
    pattern = re.compile("|".join(re.escape(p) for p in wanted))
    out, position = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[position : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        position = match.end()
    out.append(escape(text[position:]))
    return mark_safe("".join(out))


def _evidence_rows(form, evidence: dict[str, str]) -> list[tuple[str, str]]:
    """The words each value came from, named as the form names the value (the proposer's
    keys are code, not words a reviewer reads in their language)."""
    fields = {"date": "due_date"}
    rows = []
    for key, words in evidence.items():
        if key == "text":
            label = _("Sentence")
        elif (name := fields.get(key, key)) in form.fields:
            label = form.fields[name].label
        else:
            label = key
        rows.append((label, words))
    return rows


def _initial(proposal, existing_refs: set[str]) -> dict:
    row = proposal.row("")
    return {
        "accept": proposal.ref not in existing_refs,
        "paragraph": proposal.paragraph,
        "ref": proposal.ref,
        "kind": row["kind"],
        "strength": row["strength"],
        "title_ja": row["title_ja"],
        "title_en": "",
        "owners": row["owners"],
        "theme": row["theme"],
        "starts_on": proposal.starts_on,
        "due_date": proposal.due_date,
        "due_precision": row["due_precision"],
        "due_text": row["due_text"],
    }


def _as_table(document: Document, rows: list[dict]) -> Table:
    headers = ["document", *REVIEWED_COLUMNS]
    table = Table(headers=[h for h in headers if h in IMPORTED_COLUMNS], file_format="review")
    for number, values in enumerate(rows, start=2):
        cells = {"document": Cell(document.slug)}
        for column in REVIEWED_COLUMNS:
            value = values.get(column)
            if value is None:
                value = ""
            elif hasattr(value, "isoformat"):
                value = value.isoformat()
            cells[column] = Cell(str(value))
        table.rows.append(Row(number, cells))
    return table


def review_view(request, admin_site, object_id):
    if not request.user.has_perm("commitments.import_actionitem"):
        raise PermissionDenied(_("You may not add items: editors and administrators may."))
    if not str(object_id).isdigit():
        raise Http404(_("There is no such record."))
    document = get_object_or_404(Document, pk=int(object_id))
    paragraphs = list(document.paragraphs.order_by("number"))
    if not paragraphs:
        messages.error(
            request, _("This document has no paragraphs yet: import the statement first.")
        )
        return HttpResponseRedirect(
            reverse("admin:commitments_document_change", args=[document.pk])
        )
    proposals = propose_for_document(document)
    existing = set(document.items.values_list("ref", flat=True))
    initial = [_initial(p, existing) for p in proposals]
    formset = ProposalFormSet(request.POST or None, initial=initial, prefix="proposal")
    problems: list[str] = []
    if request.method == "POST" and formset.is_valid():
        whole = {int(n) for n in request.POST.getlist("accept_paragraph") if n.isdigit()}
        accepted = [
            form.cleaned_data
            for form in formset.forms
            if form.cleaned_data.get("accept") or form.cleaned_data.get("paragraph") in whole
        ]
        if not accepted:
            problems.append(_("No proposal is accepted: tick “Accept” on the items to keep."))
        else:
            result = import_items(_as_table(document, accepted), user=request.user, commit=True)
            if result.committed:
                messages.success(
                    request,
                    _("%(count)d items added to %(document)s: %(summary)s")
                    % {
                        "count": len(accepted),
                        "document": document.slug,
                        "summary": result.summary(),
                    },
                )
                url = reverse("admin:commitments_actionitem_changelist")
                return HttpResponseRedirect(f"{url}?document__id__exact={document.pk}")
            for outcome in result.outcomes:
                problems.extend(
                    f"{outcome.ref}: {p.message} ({p.column})" for p in outcome.problems
                )
            problems.extend(str(p) for p in result.file_problems)
    forms_by_paragraph: dict[int, list] = {}
    evidence: dict[int, list[str]] = {}
    for form, proposal in zip(formset.forms, proposals, strict=False):
        forms_by_paragraph.setdefault(proposal.paragraph, []).append(
            (form, proposal, _evidence_rows(form, proposal.evidence))
        )
        evidence.setdefault(proposal.paragraph, []).extend(proposal.evidence.values())
    sections = [
        {
            "paragraph": paragraph,
            "html": highlight(paragraph.text, evidence.get(paragraph.number, [])),
            "proposals": forms_by_paragraph.get(paragraph.number, []),
        }
        for paragraph in paragraphs
    ]
    context = {
        **admin_site.each_context(request),
        "title": _("Review proposed items: %(document)s") % {"document": document},
        "document": document,
        "formset": formset,
        "sections": sections,
        "problems": problems,
        "existing_count": len(existing),
        "opts": Document._meta,
    }
    return TemplateResponse(request, "admin/commitments/review_proposals.html", context)
