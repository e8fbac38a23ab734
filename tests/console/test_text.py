"""Email text on screen: literal, no escapes, no invisible tricks."""

from __future__ import annotations

import sys
import unicodedata

from console.text import clean, literal, unwrap


def test_markup_is_shown_not_obeyed() -> None:
    text = literal("[bold red]URGENT[/] [link=http://example.net]x[/link]")
    assert text.plain == "[bold red]URGENT[/] [link=http://example.net]x[/link]"
    assert not text.spans


def test_escapes_and_controls_cannot_reach_the_terminal() -> None:
    value = "a\x1b[31mred\x1b[0m \x1b]0;title\x07b \x07bell \u202eevil\u202c \x00nul"
    assert clean(value) == "ared b \ufffdbell \ufffdevil\ufffd \ufffdnul"


def test_every_control_and_format_character_is_replaced() -> None:
    unsafe = [
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf", "Cs", "Co") and chr(c) not in "\t\n\u200d"
    ]
    # The table in console.text follows the running Python's Unicode version.
    leftovers = [hex(ord(c)) for c in unsafe if _survives(c)]
    assert leftovers == []


def _survives(char: str) -> bool:
    # Lone surrogates cannot be built into a str by a mail parser; skip them.
    if 0xD800 <= ord(char) <= 0xDFFF:
        return False
    return char in clean(f"x{char}x")


def test_one_line_folds_newlines_and_keeps_emoji_sequences() -> None:
    assert clean("line one\nline\ttwo", one_line=True) == "line one line two"
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean(family) == family


def test_hard_wrapped_paragraphs_are_joined_but_lists_and_quotes_are_kept() -> None:
    mail = (
        "I think I lost my apartment keys on the train this morning - the ring had\n"
        "my front door key and the fob on it.\n"
        "\n"
        "- first point of a list that is rather long, long enough to be wrapped\n"
        "- second point\n"
        "> quoted text that was wrapped by the client at seventy-six columns\n"
        "> and continues here\n"
        "Thanks,\n"
        "David"
    )
    assert unwrap(mail) == (
        "I think I lost my apartment keys on the train this morning - the ring had "
        "my front door key and the fob on it.\n"
        "\n"
        "- first point of a list that is rather long, long enough to be wrapped\n"
        "- second point\n"
        "> quoted text that was wrapped by the client at seventy-six columns\n"
        "> and continues here\n"
        "Thanks,\n"
        "David"
    )
