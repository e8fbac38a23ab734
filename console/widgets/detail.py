"""The detail view: the email as text, the tenant, the ticket, To/Cc and the draft.

It renders a `DetailView`: the item as the console holds it (so moving the
cursor repaints at once, from memory) and the parsed email once it has been
read (until then, a placeholder). It never parses or fetches anything itself.
`shown` is the item, at the version, that the pane holds; `seen` says when
that version is on the terminal: the frame drawn, and (where the terminal
answers) the terminal's confirmation that it has shown it. Operator commands
act only on a seen version: a key pressed before the operator could have
seen the item must not act on it.

Everything is drawn into one line-by-line view: showing another item renders
its text once, at the pane's width, and repaints the pane without laying out
the screen again, so the pane keeps up with the keyboard. The draft is part
of that text; `e` opens an editor on it, where `ctrl+s` posts `DraftSaved`
(with the version editing began from) and `escape` closes it unchanged.
"""

from __future__ import annotations

import time
from datetime import datetime

from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.containers import Vertical
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import TextArea

from console.text import clean
from console.widgets.detail_text import DetailView, render_detail
from core.models import (
    Item,
)


class DraftSaved(Message):
    def __init__(self, item_id: int, version: int, body: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.version = version
        self.body = body


class DraftEditor(TextArea):
    """The draft, editable; shown only while the operator edits."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save draft", show=True),
        Binding("escape", "cancel", "Cancel edit", show=True),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(soft_wrap=True, **kwargs)  # type: ignore[arg-type]
        self.item_id: int | None = None
        self.version = 0  # the version of the item whose draft is being edited
        self.stored = ""

    def begin(self, item_id: int, version: int, body: str) -> None:
        self.item_id, self.version, self.stored = item_id, version, body
        self.load_text(clean(body))
        self.display = True
        self.focus()

    def rebase(self, version: int, body: str) -> None:
        """Keep the operator's text, now as an edit of this (newer) version."""
        self.version, self.stored = version, body

    @property
    def editing(self) -> bool:
        return bool(self.display)

    def action_save(self) -> None:
        if self.editing and self.item_id is not None:
            self.post_message(DraftSaved(self.item_id, self.version, self.text))
            self.display = False

    def action_cancel(self) -> None:
        self.display = False


class DetailText(ScrollView):
    """A renderable drawn once into lines at the current width, then painted line by line."""

    DEFAULT_CSS = "DetailText { scrollbar-gutter: stable; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._renderable: RenderableType = ""
        self._strips: list[Strip] = []
        self._style = Style()  # the widget's style, looked up once a frame

    def update(self, renderable: RenderableType, *, top: bool = False) -> None:
        self._renderable = renderable
        if top:
            self.scroll_to(y=0, animate=False, immediate=True)
        self._draw()

    @property
    def plain(self) -> str:
        return "\n".join(strip.text.rstrip() for strip in self._strips)

    def on_resize(self, event: events.Resize) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.scrollable_content_region.width
        if width <= 0 or not self.is_mounted:
            return
        console = self.app.console
        options = console.options.update(width=width, height=None, highlight=False)
        lines = console.render_lines(self._renderable, options, pad=False)
        self._strips = [Strip(line).adjust_cell_length(width) for line in lines]
        size = Size(width, len(self._strips))
        if size != self.virtual_size:  # rescale the scrollbar, no layout of the screen
            self.set_reactive(DetailText.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def render_lines(self, crop: Region) -> list[Strip]:
        self._style = self.rich_style
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_offset.y) + y
        width = self.scrollable_content_region.width
        if 0 <= index < len(self._strips):
            return self._strips[index].apply_style(self._style)
        return Strip([Segment(" " * width, self._style)], width)


class DetailPane(Vertical):
    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.shown: Item | None = None  # the item, at the version, in the pane
        self.seen: tuple[int, int] | None = None  # (id, version) on the terminal
        self.seen_at = 0.0  # since when (time.monotonic, as key events carry)
        self._view: DetailView | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        # Kept by reference: an update arriving while the app closes must find them.
        self._text = DetailText(id="detail-text")
        self._editor = DraftEditor(id="draft")
        self._editor.display = False
        yield self._text
        yield self._editor

    @property
    def editor(self) -> DraftEditor:
        return self._editor

    @property
    def text(self) -> DetailText:
        return self._text

    def show_nothing(self) -> None:
        self.shown, self._view, self.seen = None, None, None
        self.text.update(Text("No message selected.", style="dim"), top=True)

    def show(self, view: DetailView, now: datetime) -> None:
        """Render the view; the draft the operator is typing is never touched."""
        item = view.item
        another = self.shown is None or self.shown.id != item.id
        self.shown, self._view = item, view
        self.text.update(render_detail(view, now), top=another)
        if self.seen != (item.id, item.version):
            self.seen = None
            self.call_after_refresh(self._drawn, item.id, item.version)

    def _drawn(self, item_id: int, version: int) -> None:
        """The frame with this version was handed to the terminal: the app confirms it."""
        if self.shown is not None and (self.shown.id, self.shown.version) == (item_id, version):
            self.post_message(self.Drawn(item_id, version))

    def confirm_seen(self, item_id: int, version: int) -> None:
        """The terminal has shown this version (or cannot say, and it was drawn)."""
        shown = self.shown
        key = (item_id, version)
        if shown is not None and (shown.id, shown.version) == key and self.seen != key:
            self.seen, self.seen_at = key, time.monotonic()

    class Drawn(Message):
        def __init__(self, item_id: int, version: int) -> None:
            super().__init__()
            self.item_id = item_id
            self.version = version

    @property
    def on_screen(self) -> Item | None:
        """The item the operator can see, at that version; None until it is on the terminal."""
        shown = self.shown
        if shown is None or self.seen != (shown.id, shown.version):
            return None
        return shown

    def refresh_countdown(self, view: DetailView, now: datetime) -> None:
        self.show(view, now)

    def start_editing(self) -> None:
        item = self.shown
        if item is not None and item.proposal is not None:
            self.editor.begin(item.id, item.version, item.proposal.body)
