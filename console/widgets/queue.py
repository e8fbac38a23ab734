"""The queue: one line per email, drawn line by line from rows rendered once.

A busy pipeline changes items many times a second. A table that re-renders
every visible cell on each change spends the event loop on drawing and keys
wait; here each row is rendered to a `Strip` once per change of that row and
kept, so a change costs one row, a repaint costs a copy, and a key press is
never behind a redraw. The table holds only the rows that pass the current
filter; a new filter (or a width that calls for other columns) replaces them.

The cursor belongs to the operator: new rows and re-sorts keep it on their
item. Until the operator first moves it, it stays on the most urgent item.
Whenever the item under the cursor changes, for whatever reason, the table
says so once, to the one follower it has (the detail view): by a direct call,
so the new row and its detail are drawn in the same frame.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.rows import (
    COLUMNS,
    COMPACT_COLUMNS,
    RowView,
    age_changes_at,
    age_text,
    row_view,
    sort_key,
    state_text,
)
from console.widgets.filters import QueueFilter
from core.models import Item, State

_WIDTHS = {"age": 7, "state": 9, "intent": 11, "conf": 4, "alarm": 2, "sender": 22}
_COMPACT_WIDTHS = {"age": 5, "state": 3, "intent": 11, "alarm": 2, "sender": 16}
_LABELS = {"alarm": "!"}
_COMPACT_LABELS = {"alarm": "!", "state": "st"}
# Below this width the queue switches to the compact columns, so that the
# subject keeps room for about twenty characters.
COMPACT_BELOW = 90
_PADDING = 1  # blank cells either side of every column


class QueueTable(ScrollView, can_focus=True):
    BINDINGS = [
        Binding("down,j", "cursor_down", "Down", show=False),
        Binding("up,k", "cursor_up", "Up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
    ]
    COMPONENT_CLASSES = {"queue--header", "queue--cursor", "queue--even-row"}
    DEFAULT_CSS = """
    QueueTable {
        overflow-x: hidden;
        background: $surface;
        color: $foreground;
        & > .queue--header { text-style: bold; background: $panel; color: $foreground; }
        & > .queue--even-row { background: $surface-lighten-1 50%; }
        & > .queue--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .queue--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:dark > .queue--even-row { background: $surface-darken-1 40%; }
    }
    """

    def __init__(
        self, sla_minutes: tuple[int, int], home_language: str = "en", **kwargs: object
    ) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.sla_minutes = sla_minutes
        self.home_language = home_language  # the mailbox's: other languages are marked
        self.filter = QueueFilter()
        self.compact = False
        # False until the operator moves the cursor: until then it follows the top row.
        self.touched = False
        self.cursor = 0  # index into the rows in queue order
        self._order: list[int] = []  # item ids, in queue order
        self._position: dict[int, int] = {}  # item id → index in _order
        self._views: dict[int, RowView] = {}  # the rows in the table
        self._cache: dict[int, tuple[int, RowView]] = {}  # every item's last view, by version
        self._strips: dict[int, Strip] = {}  # rows rendered at the current width
        self._painted: dict[int, tuple[bool, Strip]] = {}  # ... with their stripe, by parity
        self._styles: tuple[Style, Style, Style, Style] | None = None  # for the frame drawn
        self._needs_sort = False
        self._sort_pending = False
        self._age_due: dict[int, datetime] = {}  # when each age cell next changes
        self._announced: int | None = None
        self._follower: Callable[[int | None], None] = lambda item_id: None
        self._reload: Callable[[], None] | None = None

    # --- size and columns --------------------------------------------------------------

    @property
    def columns(self) -> tuple[str, ...]:
        return COMPACT_COLUMNS if self.compact else COLUMNS

    def _widths(self) -> list[int]:
        fixed = _COMPACT_WIDTHS if self.compact else _WIDTHS
        widths = [fixed.get(column, 0) for column in self.columns]
        used = sum(widths) + 2 * _PADDING * len(widths)
        widths[-1] = max(8, self._content_width - used)  # the subject takes the rest
        return widths

    def on_resize(self, event: events.Resize) -> None:
        self._forget_drawings()
        self._update_virtual_size()
        compact = event.size.width < COMPACT_BELOW
        if compact != self.compact:
            self.compact = compact
            self._cache.clear()
            if self._reload is not None:
                self._reload()  # the app refills the rows for the new columns

    @property
    def _content_width(self) -> int:
        return self.scrollable_content_region.width

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)  # below the header

    def when_columns_change(self, reload: Callable[[], None]) -> None:
        self._reload = reload

    def follow_selection(self, follower: Callable[[int | None], None]) -> None:
        """Call `follower` with the item under the cursor whenever that changes."""
        self._follower = follower

    def _update_virtual_size(self) -> None:
        """Rows were added or removed: rescale the scrollbar without a layout of the screen.

        (Setting `virtual_size` the usual way lays out every widget again, once
        per batch of new mail; the table's own size never depends on its rows.)
        """
        size = Size(self._content_width, len(self._order) + 1)  # + the header
        if size != self.virtual_size:  # (the rows themselves repaint line by line)
            self.set_reactive(QueueTable.virtual_size, size)
            self._scroll_update(size)

    # --- rows ----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self._order)

    def show(self, item: Item, now: datetime) -> None:
        """Add, update or remove the row for this item, as the filter says."""
        shown = item.id in self._views
        if not self.filter.matches(item):
            if shown:
                self._remove(item.id)
            return
        view = self._view(item, now)
        self._age_due[item.id] = age_changes_at(item, now, self.sla_minutes)
        if not shown:
            self._views[item.id] = view
            self._order.append(item.id)
            self._position[item.id] = len(self._order) - 1
            self._update_virtual_size()
            self._request_sort(0.05 if not self.touched else 0.2)
            self._refresh_row(item.id)
            self._announce()
        elif view is not self._views[item.id]:
            before = self._views[item.id]
            self._views[item.id] = view
            self._forget_drawing(item.id)
            self._refresh_row(item.id)
            if before.sort_key != view.sort_key:
                self._request_sort()

    def _remove(self, item_id: int) -> None:
        selected = self.selected_id
        index = self._position.pop(item_id)
        del self._order[index]
        del self._views[item_id]
        self._forget_drawing(item_id)
        for position in range(index, len(self._order)):
            self._position[self._order[position]] = position
        if selected is not None and selected != item_id:
            self.cursor = self._position[selected]
        self.cursor = min(self.cursor, max(0, len(self._order) - 1))
        self._update_virtual_size()
        self.refresh()
        self._announce()

    def _view(self, item: Item, now: datetime) -> RowView:
        """The row for an item, reused while the item is unchanged (times refresh on ticks)."""
        cached = self._cache.get(item.id)
        if cached is not None and cached[0] == item.version:
            return cached[1]
        view = row_view(
            item, now, self.sla_minutes, compact=self.compact, home_language=self.home_language
        )
        self._cache[item.id] = (item.version, view)
        return view

    def row_cells(self, item_id: int) -> tuple[Text, ...]:
        return self._views[item_id].cells

    def refresh_times(self, items: dict[int, Item], now: datetime) -> None:
        """Move ages and countdowns on, re-rendering only the rows whose text changes now."""
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
        age = age_text(item, now, self.sla_minutes)
        state = state_text(item, now, compact=self.compact)
        self._age_due[item.id] = age_changes_at(item, now, self.sla_minutes)
        if age == before.cells[0] and state == before.cells[1]:
            return
        view = RowView((age, state, *before.cells[2:]))
        self._views[item.id] = view
        self._cache[item.id] = (item.version, view)
        self._forget_drawing(item.id)
        self._refresh_row(item.id)

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
        before = self._visible_ids()
        self._order.sort(key=lambda item_id: self._views[item_id].sort_key)
        self._position = {item_id: index for index, item_id in enumerate(self._order)}
        if not self.touched:
            self._move_to(0)
        elif selected is not None:
            self._move_to(self._position[selected])
        self._refresh_moved(before)
        self._announce()

    def _visible_ids(self) -> list[int | None]:
        top = round(self.scroll_offset.y)
        rows = self._order[top : top + self._visible_rows]
        return [*rows, *[None] * (self._visible_rows - len(rows))]

    def _refresh_moved(self, before: list[int | None]) -> None:
        """Repaint only the visible lines that now show another item."""
        top = round(self.scroll_offset.y)
        for line, (old, new) in enumerate(zip(before, self._visible_ids(), strict=True)):
            if old != new:
                self.refresh_line(top + line + 1)

    async def load(self, items: list[Item], now: datetime) -> None:
        """Replace every row (start-up, a new filter, new columns), in queue order."""
        selected = self.selected_id
        shown = sorted((i for i in items if self.filter.matches(i)), key=sort_key)
        self._order = [item.id for item in shown]
        self._position = {item_id: index for index, item_id in enumerate(self._order)}
        self._views = {item.id: self._view(item, now) for item in shown}
        self._age_due = {i.id: age_changes_at(i, now, self.sla_minutes) for i in shown}
        self._forget_drawings()
        self._needs_sort = False
        self._update_virtual_size()
        if self.touched and selected is not None and selected in self._position:
            self._move_to(self._position[selected])
        else:
            self._move_to(0)
        self.refresh()
        self._announce()

    async def apply_filter(
        self, queue_filter: QueueFilter, items: dict[int, Item], now: datetime
    ) -> None:
        self.filter = queue_filter
        await self.load(list(items.values()), now)

    # --- selection ---------------------------------------------------------------------

    @property
    def selected_id(self) -> int | None:
        return self._order[self.cursor] if 0 <= self.cursor < len(self._order) else None

    def select(self, item_id: int) -> None:
        if item_id in self._position:
            self._move_to(self._position[item_id])
            self._announce()

    def contains(self, item_id: int) -> bool:
        return item_id in self._position

    def next_waiting(self, after: int, needs_person: Callable[[int], bool]) -> int | None:
        """The next row below `after` (then from the top) whose item waits for a person."""
        start = self._position.get(after)
        if start is None:
            return None
        for item_id in self._order[start + 1 :] + self._order[:start]:
            if needs_person(item_id):
                return item_id
        return None

    def _move_to(self, index: int) -> None:
        index = max(0, min(index, len(self._order) - 1))
        if index != self.cursor:
            self.refresh_line(self.cursor + 1)
            self.refresh_line(index + 1)
            self.cursor = index
        self._scroll_to_cursor()

    def _scroll_to_cursor(self) -> None:
        visible = self._visible_rows
        top = round(self.scroll_offset.y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    def _operator_moves(self, index: int) -> None:
        self.touched = True
        self._move_to(index)
        self._announce()

    def action_cursor_down(self) -> None:
        self._operator_moves(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._operator_moves(self.cursor - 1)

    def action_page_down(self) -> None:
        self._operator_moves(self.cursor + max(1, self._visible_rows - 1))

    def action_page_up(self) -> None:
        self._operator_moves(self.cursor - max(1, self._visible_rows - 1))

    def action_first(self) -> None:
        self._operator_moves(0)

    def action_last(self) -> None:
        self._operator_moves(len(self._order) - 1)

    def on_click(self, event: events.Click) -> None:
        if event.y >= 1:
            index = round(self.scroll_offset.y) + event.y - 1
            if index < len(self._order):
                self._operator_moves(index)

    def _announce(self) -> None:
        """Tell the follower when the item under the cursor is not the one last announced."""
        current = self.selected_id
        if current != self._announced:
            self._announced = current
            self._follower(current)

    # --- drawing -----------------------------------------------------------------------

    def _refresh_row(self, item_id: int) -> None:
        index = self._position.get(item_id)
        if index is not None:
            self.refresh_line(index + 1)

    def _forget_drawing(self, item_id: int) -> None:
        self._strips.pop(item_id, None)
        self._painted.pop(item_id, None)

    def _forget_drawings(self) -> None:
        self._strips.clear()
        self._painted.clear()

    def render_lines(self, crop: Region) -> list[Strip]:
        # Styles are looked up once a frame, not once a line.
        base = self.rich_style
        styles = (
            base,
            base + self.get_component_rich_style("queue--even-row"),
            self.get_component_rich_style("queue--cursor"),
            self.get_component_rich_style("queue--header"),
        )
        if styles != self._styles:
            self._styles = styles
            self._painted.clear()
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        width = self._content_width
        base, striped, cursor, header = self._styles or (Style(),) * 4
        if y == 0:
            labels = _COMPACT_LABELS if self.compact else _LABELS
            cells = [Text(labels.get(c, c)) for c in self.columns]
            return self._draw(cells, width).apply_style(header)
        index = round(self.scroll_offset.y) + y - 1
        if index >= len(self._order):
            return Strip.blank(width, base)
        item_id = self._order[index]
        strip = self._strips.get(item_id)
        if strip is None:
            strip = self._strips[item_id] = self._draw(list(self._views[item_id].cells), width)
        odd = bool(index % 2)
        if index == self.cursor:
            return Strip(Segment.apply_style(strip, striped if odd else base, cursor), width)
        painted = self._painted.get(item_id)
        if painted is None or painted[0] != odd:
            painted = self._painted[item_id] = (odd, strip.apply_style(striped if odd else base))
        return painted[1]

    def _draw(self, cells: list[Text], width: int) -> Strip:
        line = Text(no_wrap=True, end="")
        for cell, cell_width in zip(cells, self._widths(), strict=True):
            text = cell.copy()
            text.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append(" " * _PADDING)
            line.append_text(text)
            line.append(" " * _PADDING)
        segments = list(line.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, Style())
