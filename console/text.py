"""Text from email, made safe to show: literal, never styled, never able to break the screen.

Everything a tenant (or a spammer) wrote passes through `literal` before it
reaches a widget: it becomes a `rich.text.Text` (markup is not interpreted),
ANSI escape sequences are removed, and other control and bidirectional-format
characters are replaced with a visible placeholder.
"""

from __future__ import annotations

import re
import unicodedata

from rich.text import Text

_ANSI = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")
_PLACEHOLDER = "\ufffd"
_KEEP = {"\n", "\t"}


def clean(value: str, *, one_line: bool = False) -> str:
    """The string with escapes removed and control characters made visible."""
    value = _ANSI.sub("", value)
    chars = []
    for char in value:
        if char in _KEEP:
            chars.append(" " if one_line else char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co") and char != "\u200d":
            chars.append(_PLACEHOLDER)
        else:
            chars.append(char)
    text = "".join(chars).replace("\t", "    ")
    return " ".join(text.split()) if one_line else text


def literal(value: str, style: str = "", *, one_line: bool = False) -> Text:
    """A `Text` that shows `value` exactly, whatever markup or escapes it holds."""
    return Text(clean(value, one_line=one_line), style=style, no_wrap=one_line)
