"""The parser: what the operator and the model get to read from a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.mail.parsing import parse_message
from tests.support.mail import make_email

CORPORA = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "mime"


def test_headers_and_threading_are_kept() -> None:
    raw = make_email(
        "Zoe.Mueller@Example.org",
        "Re: Heizung kaputt – bitte schnell",
        "The heating is still off.",
        name="Zoë Müller",
        message_id="<abc@mail.example.org>",
        headers={"In-Reply-To": "<prev@example.com>", "References": "<first@x> <prev@example.com>"},
    )
    parsed = parse_message(raw)
    assert parsed.sender is not None
    assert parsed.sender.name == "Zoë Müller"
    assert parsed.sender_addr == "zoe.mueller@example.org"
    assert parsed.subject == "Re: Heizung kaputt – bitte schnell"
    assert parsed.message_id == "<abc@mail.example.org>"
    assert parsed.in_reply_to == "<prev@example.com>"
    assert parsed.references == ("<first@x>", "<prev@example.com>")
    assert parsed.text == "The heating is still off."
    assert parsed.defects == ()


def test_html_only_mail_becomes_plain_text_without_markup() -> None:
    html = (
        "<html><head><style>p {color: red}</style><script>alert('x')</script></head>"
        "<body><p>My <b>kitchen sink</b> is leaking.</p>"
        "<img src='http://tracker.example.net/pixel.gif'><p>Unit 201</p></body></html>"
    )
    parsed = parse_message(make_email(body="", html=html))
    assert parsed.html_only
    assert "kitchen sink is leaking" in parsed.text
    assert "Unit 201" in parsed.text
    for leaked in ("<", "alert", "color: red", "tracker.example.net"):
        assert leaked not in parsed.text


def test_plain_alternative_is_preferred_over_html() -> None:
    parsed = parse_message(make_email(body="plain words", html="<p>html words</p>"))
    assert parsed.text == "plain words"
    assert not parsed.html_only


def test_attachments_are_listed_not_read() -> None:
    raw = make_email(
        body="Photo of the leak attached.",
        attachments=[("leak.jpg", "image/jpeg", b"\xff\xd8" + b"x" * 998)],
    )
    parsed = parse_message(raw)
    assert [(a.filename, a.content_type, a.size) for a in parsed.attachments] == [
        ("leak.jpg", "image/jpeg", 1000)
    ]
    assert "xxxx" not in parsed.text


def test_unknown_charset_falls_back_and_is_recorded() -> None:
    raw = (
        b"From: a@example.com\r\nSubject: caf\xe9\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\n"
        b"Le caf\xe9 est froid.\r\n"
    )
    parsed = parse_message(raw)
    assert parsed.text == "Le café est froid."
    assert any("charset" in d for d in parsed.defects)


def test_garbage_never_raises() -> None:
    for raw in (b"", b"\x00\xff\xfe", b"From: <<<>>>\r\n\r\n", b"Subject: =?utf-8?q?broken\r\n"):
        parsed = parse_message(raw)
        assert parsed.sender is None


def _corpus() -> list[Path]:
    return sorted(p for p in CORPORA.rglob("*.eml"))


@pytest.mark.skipif(not CORPORA.is_dir(), reason="shared MIME corpora not present")
def test_every_corpus_message_parses() -> None:
    files = _corpus()
    assert len(files) > 100
    senders = 0
    for path in files:
        parsed = parse_message(path.read_bytes())
        senders += parsed.sender is not None
        assert len(parsed.text) <= 100_000
    assert senders > len(files) // 2


def test_raw_utf8_in_headers_is_read_as_utf8_and_can_be_stored() -> None:
    raw = (
        "From: Zoë Müller <zoe.mueller@example.org>\r\nSubject: Heizung kaputt – bitte\r\n\r\nHallo"
    ).encode()
    email = parse_message(raw)
    assert email.sender is not None and email.sender.name == "Zoë Müller"
    assert email.subject == "Heizung kaputt – bitte"
    str(email.sender).encode("utf-8")  # no lone surrogates: the store can keep it


def test_flowed_text_is_read_as_the_writer_wrote_it() -> None:
    """format=flowed (RFC 3676): a line ending in a space goes on; quotes keep their marks."""
    raw = (
        b"From: Ana <ana@example.org>\r\n"
        b"To: office@example.com\r\n"
        b"Subject: Catching up\r\n"
        b"Message-ID: <flowed@example.org>\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="utf-8"; format=flowed\r\n'
        b"\r\n"
        b"When I came up the stairs this evening, the hallway smelled strongly of \r\n"
        b"gas.\r\n"
        b"\r\n"
        b"-- \r\n"
        b"Ana\r\n"
        b"> On Monday you wrote: the boiler is \r\n"
        b"> fixed.\r\n"
    )
    lines = parse_message(raw).text.split("\n")
    assert lines == [
        "When I came up the stairs this evening, the hallway smelled strongly of gas.",
        "",
        "--",
        "Ana",
        "> On Monday you wrote: the boiler is fixed.",
    ]
