"""The admin's import: upload, preview, confirm — bound to the person and session who uploaded.

The uploaded file is kept in the database (StagedImport) under a random token, so the
confirmation works on any web process or machine, cannot name any other file, and cannot be
confirmed by anyone else or from another session. The confirmation imports again, under lock,
and refuses rows whose items changed after the preview; when it fails it says so and why.
Previews never confirmed are removed after IMPORT_PREVIEW_HOURS.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .forms import UploadForm
from .importing.items import ImportResult, Problem
from .importing.tabular import FileRefused, read_table
from .models import StagedImport

#: secrets.token_urlsafe(32): 43 URL-safe characters. Anything else is not a token (and a NUL
#: character must never reach PostgreSQL, which refuses it with an error).
TOKEN = re.compile(r"[A-Za-z0-9_-]{43}")


def session_hash(request) -> str:
    if not request.session.session_key:
        request.session.save()
    return hashlib.sha256(request.session.session_key.encode()).hexdigest()


def remove_abandoned_previews() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IMPORT_PREVIEW_HOURS)
    deleted, _by_model = StagedImport.objects.filter(created_at__lt=cutoff).delete()
    return deleted


class StagedImportMixin:
    """Adds `import/` and `import/confirm/` to a ModelAdmin. Subclasses say what they import."""

    import_kind: str
    import_permission: str
    import_columns: list[str]
    import_help = ""
    import_template = "admin/commitments/import.html"
    preview_template = "admin/commitments/import_preview.html"

    def run_import(self, table, *, user, commit: bool, snapshot) -> ImportResult:
        raise NotImplementedError

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="{}_{}_import".format(*info),
            ),
            path(
                "import/confirm/",
                self.admin_site.admin_view(self.confirm_view),
                name="{}_{}_import_confirm".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request) -> bool:
        return request.user.is_active and request.user.has_perm(self.import_permission)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _check_permission(self, request) -> None:
        if not self.has_import_permission(request):
            raise PermissionDenied(_("You may not import: editors and administrators may."))

    def _context(self, request, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Import %(things)s") % {"things": self.opts.verbose_name_plural},
            "columns": self.import_columns,
            "import_help": self.import_help,
            "preview_hours": settings.IMPORT_PREVIEW_HOURS,
            **extra,
        }

    def import_view(self, request):
        self._check_permission(request)
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method != "POST" or not form.is_valid():
            return TemplateResponse(
                request, self.import_template, self._context(request, form=form)
            )
        remove_abandoned_previews()
        upload = form.cleaned_data["import_file"]
        raw = upload.read()
        name = (upload.name or "upload")[:200]
        try:
            table = read_table(raw, name)
        except FileRefused as refusal:
            form.add_error("import_file", str(refusal))
            return TemplateResponse(
                request, self.import_template, self._context(request, form=form)
            )
        result = self.run_import(table, user=request.user, commit=False, snapshot=None)
        staged = None
        if result.ok and (result.count("new") or result.count("update") or result.status_updates):
            staged = StagedImport.objects.create(
                token=secrets.token_urlsafe(32),
                kind=self.import_kind,
                user=request.user,
                session_key_hash=session_hash(request),
                file_name=name,
                file_format=table.file_format,
                content=raw,
                snapshot=result.snapshot,
            )
        return self._preview(request, result, name, staged=staged)

    def _preview(
        self, request, result: ImportResult, name: str, *, staged=None, failed=False, status=200
    ):
        order = {"error": 0, "new": 1, "update": 2, "unchanged": 3}
        outcomes = sorted(result.outcomes, key=lambda o: (order[o.action], o.number))
        context = self._context(
            request,
            result=result,
            file_name=name,
            counts=result.counts,
            changed=[o for o in outcomes if o.action != "unchanged"],
            unchanged=[o for o in outcomes if o.action == "unchanged"],
            problems=[str(p) for p in result.problems],
            staged=staged,
            failed=failed,
        )
        return TemplateResponse(request, self.preview_template, context, status=status)

    def confirm_view(self, request):
        self._check_permission(request)
        if request.method != "POST":
            return HttpResponseRedirect(self._import_url())
        token = request.POST.get("token", "")
        cutoff = timezone.now() - timedelta(hours=settings.IMPORT_PREVIEW_HOURS)
        staged = (
            StagedImport.objects.filter(
                token=token,
                kind=self.import_kind,
                user=request.user,
                session_key_hash=session_hash(request),
                created_at__gte=cutoff,
            ).first()
            if isinstance(token, str) and TOKEN.fullmatch(token)
            else None
        )
        if staged is None:
            messages.error(
                request,
                _(
                    "This preview is no longer available (it expired, was already used, or was made in another session). Nothing was imported; upload the file again."
                ),
            )
            return HttpResponseRedirect(self._import_url())
        if "cancel" in request.POST:
            staged.delete()
            messages.info(request, _("Import cancelled; nothing was imported."))
            return HttpResponseRedirect(self._changelist_url())
        name = staged.file_name
        try:
            table = read_table(bytes(staged.content), name, file_format=staged.file_format)
        except FileRefused as refusal:  # cannot happen for a file that passed its preview
            result = ImportResult(file_problems=[Problem(str(refusal))])
        else:
            result = self.run_import(
                table, user=request.user, commit=True, snapshot=staged.snapshot
            )
        staged.delete()
        if not result.committed:
            messages.error(
                request,
                _(
                    "Nothing was imported from %(name)s: the import was refused. The reasons are listed below."
                )
                % {"name": name},
            )
            return self._preview(request, result, name, failed=True, status=409)
        LogEntry.objects.create(
            user_id=request.user.pk,
            content_type_id=ContentType.objects.get_for_model(self.model).pk,
            object_repr=name[:200],
            action_flag=ADDITION,
            change_message=_("Imported %(name)s: %(summary)s")
            % {"name": name, "summary": result.summary()},
        )
        messages.success(
            request,
            _("Imported %(name)s: %(summary)s") % {"name": name, "summary": result.summary()},
        )
        return HttpResponseRedirect(self._changelist_url())

    def _import_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")

    def _changelist_url(self) -> str:
        return reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
