"""Honest floors: for each page of bench/pages.py, the best plain SQL a person would write by
hand for what the page shows (the same rows and figures, no ORM, no template), run through
the same connection. The same SQL runs on SQLite and PostgreSQL.

Beside them pages.py still replays the SQL the page itself ran ("replay floor"); the honest
floor says how far that SQL is from the best, the replay how far the framework is from its
own SQL. `dashboard, counted from the items` is the dashboard's figures counted from the items
table instead of read from the maintained summary counts (commitments/summaries.py): one
GROUP BY per theme and document, one join for countries (by the item's status, as the
dashboard counted them before). It runs on databases without the summary tables too.
"""

from __future__ import annotations

from commitments.querysets import OPEN_STATUSES

ITEM = "commitments_actionitem"
OWNERS = "commitments_actionitem_owners"
DOC = "commitments_document"
THEME = "commitments_theme"
COUNTRY = "commitments_country"
UPDATE = "commitments_statusupdate"
COUNT = "commitments_statuscount"
OWN = "commitments_ownerstatus"
PARTICIPANTS = "commitments_document_participants"

# What an item row on any page shows: ref, title, its document's meeting, theme, due, status.
ROW = (
    "i.id, i.ref, i.title_en, i.due_date, i.due_precision, i.starts_on, i.status, "
    "i.status_date, d.slug, d.meeting_en, t.slug, t.name_en"
)
ROW_JOINS = f"JOIN {DOC} d ON d.id = i.document_id JOIN {THEME} t ON t.id = i.theme_id"


def _open() -> str:
    return ", ".join(f"'{status}'" for status in OPEN_STATUSES)


def _rows_and_owners(where: str, order: str, limit: int, join: str = "") -> list[str]:
    """A page of item rows (picked by id first, so the ordering index does the work), then
    the owners of exactly those rows."""
    ids = f"SELECT i.id FROM {ITEM} i {join} WHERE {where} ORDER BY {order} LIMIT {limit}"
    return [
        f"SELECT {ROW} FROM {ITEM} i {ROW_JOINS} WHERE i.id IN ({ids}) ORDER BY {order}",
        f"SELECT o.actionitem_id, c.code, c.name_en FROM {OWNERS} o "
        f"JOIN {COUNTRY} c ON c.id = o.country_id WHERE o.actionitem_id IN ({ids})",
    ]


def _deadlines(within: str, today: str) -> list[str]:
    """The overdue count, the 10 most overdue and the 10 next deadlines (with owners)."""
    open_ = f"i.status IN ({_open()})"
    return [
        f"SELECT COUNT(*) FROM {ITEM} i WHERE {within} AND {open_} AND i.due_date < '{today}'",
        *_rows_and_owners(
            f"{within} AND {open_} AND i.due_date < '{today}'", "i.due_date, i.ref", 10
        ),
        *_rows_and_owners(
            f"{within} AND {open_} AND i.due_date >= '{today}'", "i.due_date, i.ref", 10
        ),
    ]


def _latest(within: str | None = None) -> str:
    """The 10 newest status updates (of the items `within` selects), with their items."""
    restrict = f"WHERE u.item_id IN (SELECT i.id FROM {ITEM} i WHERE {within}) " if within else ""
    newest = (
        f"SELECT u.id FROM {UPDATE} u {restrict}"
        "ORDER BY u.date DESC, u.recorded_at DESC, u.id DESC LIMIT 10"
    )
    return (
        f"SELECT u.id, u.date, u.status, i.ref, i.title_en, d.slug FROM {UPDATE} u "
        f"JOIN {ITEM} i ON i.id = u.item_id JOIN {DOC} d ON d.id = i.document_id "
        f"WHERE u.id IN ({newest}) ORDER BY u.date DESC, u.recorded_at DESC, u.id DESC"
    )


def _country_menu() -> str:
    return (
        f"SELECT c.code, c.name_en FROM {COUNTRY} c WHERE EXISTS "
        f"(SELECT 1 FROM {OWNERS} o WHERE o.country_id = c.id) ORDER BY c.code"
    )


def _list_menus() -> list[str]:
    """The item list's filter menus: countries owning items, themes, documents."""
    return [
        _country_menu(),
        f'SELECT slug, name_en FROM {THEME} ORDER BY "order", slug',
        f"SELECT slug, meeting_en, title_en FROM {DOC} ORDER BY signed_on DESC, slug",
    ]


def _list(where: str, join: str = "") -> list[str]:
    """The item list: how many match, the first page of 50 in text order, and the menus."""
    return [
        f"SELECT COUNT(*) FROM {ITEM} i {join} WHERE {where}",
        *_rows_and_owners(where, "i.document_id, i.paragraph_id, i.id", 50, join),
        *_list_menus(),
    ]


PARAGRAPH_JOIN = "JOIN commitments_paragraph p ON p.id = i.paragraph_id"


def _search(terms: list[str], vendor: str) -> str:
    """Every term in the ref, a title, a description or the paragraph's text (either
    language), case-insensitively: the list's `q`. (SQLite's LIKE already ignores case.)"""
    columns = [
        "i.ref", "i.title_ja", "i.title_en", "i.description_ja", "i.description_en",
        "p.text", "p.text_en",
    ]  # fmt: skip
    like = "LIKE" if vendor == "sqlite" else "ILIKE"
    return " AND ".join(
        "(" + " OR ".join(f"{column} {like} '%{term}%'" for column in columns) + ")"
        for term in terms
    )


def _top_documents() -> str:
    return f"SELECT id FROM {DOC} ORDER BY signed_on DESC, slug LIMIT 10"


def dashboard_head() -> list[str]:
    """What the dashboard shows besides the figures: documents, menus, deadlines, updates."""
    return [
        f"SELECT id, slug, meeting_en, title_en, place_en, signed_on FROM {DOC} "
        "ORDER BY signed_on DESC, slug LIMIT 10",
        f"SELECT COUNT(*) FROM {DOC}",
        f'SELECT id, slug, name_en FROM {THEME} ORDER BY "order", slug',
        _country_menu(),
    ]


def floors(p: dict) -> dict[str, list[str]]:
    """Each page's SQL, for the parameters `p` (ids and slugs the worker looked up)."""
    tm, theme, doc, item, today = p["tm"], p["theme"], p["doc"], p["item"], p["today"]
    owned_by_tm = f"i.id IN (SELECT actionitem_id FROM {OWNERS} WHERE country_id = {tm})"
    # The list filtered by a country: its items first, from the covering index of the kept
    # owner statuses (country, status, item), then sorted. Joined directly, both databases
    # walked the whole text-order index looking for the country's items one by one.
    tm_join = (
        f"JOIN (SELECT item_id FROM {OWN} WHERE country_id = {tm} ORDER BY 1 LIMIT 1000000) o "
        "ON o.item_id = i.id"
    )
    participants = f"SELECT country_id FROM {PARTICIPANTS}"
    top_others = (
        f"SELECT key FROM {COUNT} WHERE scope = 'country' AND key NOT IN ({participants}) "
        "GROUP BY key HAVING SUM(count) > 0 ORDER BY SUM(count) DESC, key LIMIT 6"
    )
    tail = [*_deadlines("1 = 1", today), _latest()]
    return {
        "dashboard": [
            *dashboard_head(),
            f"SELECT key, status, count FROM {COUNT} WHERE scope = 'theme' AND count > 0",
            # Firm commitments kept: the kept counts of the firm strengths (ranks 0 to 2).
            f"SELECT kind, status, count FROM {COUNT} WHERE scope = 'strength' "
            "AND key IN (0, 1, 2) AND count > 0",
            f"SELECT key, status, count FROM {COUNT} WHERE scope = 'document' AND count > 0 "
            f"AND key IN ({_top_documents()})",
            f"SELECT s.key, s.status, s.count, c.code, c.name_en FROM {COUNT} s "
            f"JOIN {COUNTRY} c ON c.id = s.key WHERE s.scope = 'country' AND s.count > 0 "
            f"AND (s.key IN ({participants}) OR s.key IN ({top_others}))",
            *tail,
        ],
        "list": _list("1 = 1"),
        "list ?country=TM": _list("1 = 1", tm_join),
        "list country+theme+status": _list(
            f"i.theme_id = {theme} AND i.status = 'completed'", tm_join
        ),
        "list search": _list(_search(["item", "1.1"], p["vendor"]), PARAGRAPH_JOIN),
        "statement": [
            f"SELECT * FROM {DOC} WHERE id = {doc}",
            f"SELECT c.code, c.name_en FROM {PARTICIPANTS} dp JOIN {COUNTRY} c "
            f"ON c.id = dp.country_id WHERE dp.document_id = {doc}",
            f"SELECT id, number, title_ja, title_en FROM commitments_section "
            f"WHERE document_id = {doc} ORDER BY number",
            f"SELECT id, section_id, number, text, text_en FROM commitments_paragraph "
            f"WHERE document_id = {doc} ORDER BY number",
            *_rows_and_owners(f"i.document_id = {doc}", "i.paragraph_id, i.ref", 100000),
            f"SELECT s.name, s.name_en, s.position, s.position_en, c.code FROM "
            f"commitments_signatory s LEFT JOIN {COUNTRY} c ON c.id = s.country_id "
            f'WHERE s.document_id = {doc} ORDER BY s."order"',
            f"SELECT status, count FROM {COUNT} WHERE scope = 'document' AND key = {doc} "
            "AND count > 0",
        ],
        "item": [
            f"SELECT {ROW}, i.description_en, p.number, p.text, p.text_en, s.number, s.title_en "
            f"FROM {ITEM} i {ROW_JOINS} JOIN commitments_paragraph p ON p.id = i.paragraph_id "
            f"JOIN commitments_section s ON s.id = p.section_id WHERE i.id = {item}",
            f"SELECT c.id, c.code, c.name_en FROM {OWNERS} o JOIN {COUNTRY} c "
            f"ON c.id = o.country_id WHERE o.actionitem_id = {item}",
            f"SELECT u.id, u.date, u.status, u.previous_status, u.note_en, u.source_url, "
            f"u.corrected_at, u.retracted_at, c.code, au.username FROM {UPDATE} u "
            f"LEFT JOIN {COUNTRY} c ON c.id = u.country_id LEFT JOIN auth_user au "
            f"ON au.id = u.recorded_by_id WHERE u.item_id = {item} "
            "ORDER BY u.date DESC, u.recorded_at DESC",
        ],
        "country TM": [
            f"SELECT id, code, name_en FROM {COUNTRY} WHERE id = {tm}",
            f"SELECT scope, key, status, count FROM {COUNT} WHERE ((scope = 'country' AND "
            f"key = {tm}) OR (scope = 'theme_country' AND key2 = {tm})) AND count > 0",
            f'SELECT id, slug, name_en FROM {THEME} ORDER BY "order", slug',
            f"SELECT {ROW}, os.status, os.own FROM {OWN} os JOIN {ITEM} i ON i.id = os.item_id "
            f"{ROW_JOINS} WHERE os.country_id = {tm} "
            "ORDER BY i.due_date IS NULL, i.due_date, i.ref LIMIT 200",
            f"SELECT o.actionitem_id, c.code FROM {OWNERS} o JOIN {COUNTRY} c "
            f"ON c.id = o.country_id WHERE o.actionitem_id IN (SELECT i.id FROM {ITEM} i "
            f"WHERE {owned_by_tm} ORDER BY i.due_date IS NULL, i.due_date, i.ref LIMIT 200)",
            # The scorecard: its own status on each item it owns, with what the card needs.
            f"SELECT os.status, i.due_date, i.strength, t.name_en, i.document_id FROM {OWN} os "
            f"JOIN {ITEM} i ON i.id = os.item_id JOIN {THEME} t ON t.id = i.theme_id "
            f"WHERE os.country_id = {tm}",
            f"SELECT document_id, country_id FROM {PARTICIPANTS}",
            *_deadlines(owned_by_tm, today),
            _latest(owned_by_tm),
        ],
        "theme": [
            f"SELECT * FROM {THEME} WHERE id = {theme}",
            f"SELECT status, count FROM {COUNT} WHERE scope = 'theme' AND key = {theme} "
            "AND count > 0",
            f"SELECT s.key2, s.status, s.count, c.code, c.name_en FROM {COUNT} s JOIN {COUNTRY} c "
            f"ON c.id = s.key2 WHERE s.scope = 'theme_country' AND s.key = {theme} "
            "AND s.count > 0",
            *_rows_and_owners(
                f"i.theme_id = {theme}", "i.due_date IS NULL, i.due_date, i.ref", 200
            ),
            *_deadlines(f"i.theme_id = {theme}", today),
            _latest(f"i.theme_id = {theme}"),
            _country_menu(),
        ],
    }


def counted_from_items() -> list[str]:
    """The dashboard's figures counted from the items (no summary tables), plus the rest of
    what it shows."""
    return [
        *dashboard_head(),
        f"SELECT theme_id, status, COUNT(*) FROM {ITEM} GROUP BY theme_id, status",
        f"SELECT kind, status, COUNT(*) FROM {ITEM} "
        "WHERE strength IN ('decision', 'intention', 'agreement') GROUP BY kind, status",
        f"SELECT document_id, status, COUNT(*) FROM {ITEM} "
        f"WHERE document_id IN ({_top_documents()}) GROUP BY document_id, status",
        f"SELECT o.country_id, i.status, COUNT(*) FROM {OWNERS} o JOIN {ITEM} i "
        "ON i.id = o.actionitem_id GROUP BY o.country_id, i.status",
    ]


def parameters() -> dict:
    """The ids and dates the floors need, looked up once (Django must be set up)."""
    from django.db import connection

    from commitments.dates import today
    from commitments.models import ActionItem, Country, Document, Theme

    doc = Document.objects.order_by("slug").first()
    return {
        "tm": Country.objects.get(code="TM").pk,
        "theme": Theme.objects.get(slug="agriculture").pk,
        "doc": doc.pk,
        "item": ActionItem.objects.get(document=doc, ref="1.1").pk,
        "today": today().isoformat(),
        "vendor": connection.vendor,
    }
