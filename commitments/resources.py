"""django-import-export resource for the admin's export of action items.

The columns are `csv_format.COLUMNS`, and the rows come from `csv_format.export_rows`, the
same function the public download and `export_items` use, so every export has one shape.
Imports do not go through django-import-export: see `commitments/importing/`.
"""

from __future__ import annotations

import tablib
from import_export import resources
from import_export.formats import base_formats

from .csv_format import COLUMNS, export_rows
from .models import ActionItem


class BomCSV(base_formats.CSV):
    """CSV as Excel in Japan opens it: UTF-8 with a byte-order mark."""

    def is_binary(self):
        return True

    def export_data(self, dataset, **kwargs):
        # Binary (see is_binary), so the admin does not encode it: add the BOM Excel needs here.
        return ("\ufeff" + super().export_data(dataset, **kwargs)).encode("utf-8")


class ActionItemResource(resources.ModelResource):
    class Meta:
        model = ActionItem
        fields = COLUMNS
        export_order = COLUMNS

    def get_export_headers(self, selected_fields=None):
        return list(COLUMNS)

    def export(self, queryset=None, **kwargs):
        """The same rows as the public download (csv_format.export_rows), as a Dataset."""
        if queryset is None:
            queryset = self.get_queryset()
        dataset = tablib.Dataset(headers=list(COLUMNS))
        for row in export_rows(queryset):
            dataset.append(row)
        return dataset
