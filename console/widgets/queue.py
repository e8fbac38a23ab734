"""The queue: one row per email, updated in place by key, never rebuilt.

The table holds only the rows that pass the current filter. An item's change
updates the cells that changed; a new item adds one row; sorting happens at
most once per refresh tick, however many items arrived in between.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from textual.binding import Binding
from textual.widgets import DataTable

from console.rows import COLUMNS, RowView, row_view
from core.models import Intent, Item, State

_WIDTHS = {"age": 7, "state": 9, "intent": 11, "conf": 4, "alarm": 2, "sender": 22}
_LABELS = {"conf": "conf", "alarm": "!"}


@dataclass(frozen=True)
class QueueFilter:
    state: State | None = None
    intent: Intent | None = None
    search: str = ""

    def matches(self, item: Item) -> bool:
        if self.state is not None and item.state is not self.state:
            return False
        if self.intent is not None and (
            item.proposal is None or item.proposal.intent is not self.intent
        ):
            return False
        if self.search:
            wanted = self.search.lower()
            name = item.proposal.tenant_name or "" if item.proposal else ""
            return any(wanted in field.lower() for field in (item.sender, item.subject, name))
        return True

    def describe(self) -> str:
        parts = []
        if self.state is not None:
            parts.append(f"state={self.state.value}")
        if self.intent is not None:
            parts.append(f"intent={self.intent.value}")
        if self.search:
            parts.append(f"search={self.search!r}")
        return " ".join(parts) or "all mail"

    def with_search(self, search: str) -> QueueFilter:
        return replace(self, search=search.strip())


class QueueTable(DataTable[object]):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(self, sla_minutes: tuple[int, int], **kwargs: object) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)  # type: ignore[arg-type]
        self.sla_minutes = sla_minutes
        self.filter = QueueFilter()
        self._views: dict[int, RowView] = {}
        self._needs_sort = False

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(_LABELS.get(column, column), key=column, width=_WIDTHS.get(column))

    # --- rows ------------------------------------------------------------------------

    def show(self, item: Item, now: datetime) -> None:
        """Add, update or remove the row for this item, as the filter says."""
        shown = item.id in self._views
        if not self.filter.matches(item):
            if shown:
                self.remove_row(str(item.id))
                del self._views[item.id]
            return
        view = row_view(item, now, self.sla_minutes)
        if not shown:
            self.add_row(*view.cells, key=str(item.id))
            self._needs_sort = True
        else:
            self._update(item.id, view)
        self._views[item.id] = view

    def _update(self, item_id: int, view: RowView) -> None:
        before = self._views[item_id]
        for column, old, new in zip(COLUMNS, before.cells, view.cells, strict=True):
            if old != new:
                self.update_cell(str(item_id), column, new)
        if before.sort_key != view.sort_key:
            self._needs_sort = True

    def refresh_times(self, items: dict[int, Item], now: datetime) -> None:
        """Ages and countdowns move on; only cells whose text changed are touched."""
        for item_id in list(self._views):
            item = items.get(item_id)
            if item is not None:
                self._update_times(item, now)
        self.sort_if_needed()

    def _update_times(self, item: Item, now: datetime) -> None:
        view = row_view(item, now, self.sla_minutes)
        before = self._views[item.id]
        for index in (0, 1):  # age, state (the countdown)
            if before.cells[index] != view.cells[index]:
                self.update_cell(str(item.id), COLUMNS[index], view.cells[index])
        self._views[item.id] = view

    def sort_if_needed(self) -> None:
        if not self._needs_sort:
            return
        self._needs_sort = False
        selected = self.selected_id
        self.sort("age", key=lambda cell: cell.rank)
        if selected is not None:
            self.select(selected)

    def apply_filter(
        self, queue_filter: QueueFilter, items: dict[int, Item], now: datetime
    ) -> None:
        self.filter = queue_filter
        for item in items.values():
            self.show(item, now)
        self.sort_if_needed()

    # --- selection -------------------------------------------------------------------

    @property
    def selected_id(self) -> int | None:
        if not self.row_count:
            return None
        try:
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        except Exception:
            return None
        return int(row_key.value) if row_key.value is not None else None

    def select(self, item_id: int) -> None:
        if item_id in self._views:
            self.move_cursor(row=self.get_row_index(str(item_id)), animate=False)

    def shown_ids(self) -> list[int]:
        return [int(row.key.value) for row in self.ordered_rows if row.key.value is not None]
