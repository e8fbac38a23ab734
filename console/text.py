"""Text from email, made safe to show: literal, never styled, never able to break the screen.

Everything a tenant (or a spammer) wrote passes through `literal` before it
reaches a widget: it becomes a `rich.text.Text` (markup is not interpreted),
ANSI escape sequences are removed, and other control characters, invisible
format characters (bidirectional overrides among them) and private-use
characters are replaced with a visible placeholder.
"""

from __future__ import annotations

import re

from rich.text import Text

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
# Unicode categories Cc, Cf, Cs and Co, except tab, newline and the zero-width
# joiner that emoji sequences need.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2"
    "\u180e\u200b\u200c\u200e\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
    "\ufff9-\ufffb\ud800-\udfff\ue000-\uf8ff\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
    "\U000f0000-\U0010ffff]"
)
_PLACEHOLDER = "\ufffd"


def clean(value: str, *, one_line: bool = False) -> str:
    """The string with escapes removed and unsafe characters made visible."""
    text = _UNSAFE.sub(_PLACEHOLDER, _ANSI.sub("", value)).replace("\t", "    ")
    return " ".join(text.split()) if one_line else text


def literal(value: str, style: str = "", *, one_line: bool = False) -> Text:
    """A `Text` that shows `value` exactly, whatever markup or escapes it holds."""
    return Text(clean(value, one_line=one_line), style=style, no_wrap=one_line)


_NOT_PROSE = re.compile(r"^\s*([-*•>|#]|\d+[.)]|[A-Z][\w-]*:\s)")


def unwrap(text: str, width: int = 60) -> str:
    """Join the lines of hard-wrapped paragraphs, so mail reads well in a narrow pane.

    A line is joined to the next when it is long (the sender's client wrapped
    it) and neither looks like a list item, a quote, a header or a signature.
    """
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        previous = out[-1] if out else ""
        if (
            previous
            and line.strip()
            and len(previous) >= width
            and not _NOT_PROSE.match(line)
            and not _NOT_PROSE.match(previous)
        ):
            out[-1] = f"{previous.rstrip()} {line.lstrip()}"
        else:
            out.append(line)
    return "\n".join(out)
