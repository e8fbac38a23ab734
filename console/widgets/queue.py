"""The queue: one row per email, updated in place by key, never rebuilt.

The table holds only the rows that pass the current filter. An item's change
updates the cells that changed; a new item adds one row; sorting waits a
moment so that a burst of changes costs one sort. A new filter is the one
case that replaces the rows: it changes which rows exist, not what they say.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace
from datetime import datetime

from textual.binding import Binding
from textual.widgets import DataTable

from console.rows import (
    COLUMNS,
    RowView,
    age_changes_at,
    age_text,
    row_view,
    sort_key,
    state_text,
)
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
        self._views: dict[int, RowView] = {}  # the rows on screen
        self._cache: dict[int, tuple[datetime, RowView]] = {}  # every item's last view
        self._needs_sort = False
        self._sort_pending = False
        self._age_due: dict[int, datetime] = {}  # when each age cell next changes

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
        view = self._view(item, now)
        if not shown:
            self.add_row(*view.cells, key=str(item.id))
            self._request_sort()
        else:
            self._update(item.id, view)
        self._views[item.id] = view
        self._age_due[item.id] = age_changes_at(item, now, self.sla_minutes)

    def _view(self, item: Item, now: datetime) -> RowView:
        """The row for an item, reused while the item is unchanged (times refresh on ticks)."""
        cached = self._cache.get(item.id)
        if cached is not None and cached[0] == item.updated_at:
            return cached[1]
        view = row_view(item, now, self.sla_minutes)
        self._cache[item.id] = (item.updated_at, view)
        return view

    def _update(self, item_id: int, view: RowView) -> None:
        before = self._views[item_id]
        for column, old, new in zip(COLUMNS, before.cells, view.cells, strict=True):
            if old != new:
                self.update_cell(str(item_id), column, new)
        if before.sort_key != view.sort_key:
            self._request_sort()

    def refresh_times(self, items: dict[int, Item], now: datetime) -> None:
        """Move ages and countdowns on, touching only the cells whose text changes now."""
        for item_id in list(self._views):
            item = items.get(item_id)
            if item is None:
                continue
            due = self._age_due.get(item_id)
            if item.state is State.APPROVED or due is None or due <= now:
                self._update_times(item, now)
        self.sort_if_needed()

    def _update_times(self, item: Item, now: datetime) -> None:
        before = self._views[item.id]
        age, state = age_text(item, now, self.sla_minutes), state_text(item, now)
        if age != before.cells[0]:
            self.update_cell(str(item.id), "age", age)
        if state != before.cells[1]:
            self.update_cell(str(item.id), "state", state)
        view = RowView((age, state, *before.cells[2:]))
        self._views[item.id] = view
        self._age_due[item.id] = age_changes_at(item, now, self.sla_minutes)
        self._cache[item.id] = (item.updated_at, view)

    def _request_sort(self, delay: float = 0.2) -> None:
        self._needs_sort = True
        if not self._sort_pending and self.is_mounted:
            self._sort_pending = True
            self.set_timer(delay, self.sort_if_needed)

    def sort_if_needed(self) -> None:
        self._sort_pending = False
        if not self._needs_sort:
            return
        self._needs_sort = False
        selected = self.selected_id
        self.sort("age", key=lambda cell: cell.rank)
        if selected is not None:
            self.select(selected)

    async def load(self, items: list[Item], now: datetime, batch: int = 400) -> None:
        """Replace every row (start-up, or a new filter), in queue order.

        Rows arrive in batches with a pause between them, so the first screen
        shows at once and keys work while a large queue fills in.
        """
        selected = self.selected_id
        self.clear()
        self._views = {}
        self._needs_sort = False
        shown = sorted((i for i in items if self.filter.matches(i)), key=sort_key)
        for start in range(0, len(shown), batch):
            for item in shown[start : start + batch]:
                if item.id not in self._views:  # an event may have added it meanwhile
                    view = self._view(item, now)
                    self.add_row(*view.cells, key=str(item.id))
                    self._views[item.id] = view
                    self._age_due[item.id] = age_changes_at(item, now, self.sla_minutes)
            if start == 0:
                self._restore_selection(selected)
            await asyncio.sleep(0.01)  # a real pause: the screen redraws and keys get through

    def _restore_selection(self, selected: int | None) -> None:
        """Keep the operator's row selected; otherwise announce the first row."""
        if selected is not None and selected in self._views:
            self.select(selected)
        elif self.row_count:
            self.move_cursor(row=0, animate=False)
            row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
            self.post_message(DataTable.RowHighlighted(self, 0, row_key))

    async def apply_filter(
        self, queue_filter: QueueFilter, items: dict[int, Item], now: datetime
    ) -> None:
        self.filter = queue_filter
        await self.load(list(items.values()), now)

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
