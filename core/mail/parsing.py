"""Turn raw RFC 5322 bytes into a `ParsedEmail`, whatever the bytes are.

`parse_message` never raises: a header that cannot be read, a charset nobody
knows or a broken MIME structure is recorded in `defects`, and the pipeline
sends such an item to review instead of guessing. HTML is converted to text
locally (inscriptis never fetches anything); attachments are listed, not read.
"""

from __future__ import annotations

import email
import email.utils
import re
from collections.abc import Callable, Iterator
from datetime import datetime
from email import policy
from email.header import decode_header, make_header
from email.message import EmailMessage, Message
from typing import Any

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig

from core.models import Address, Attachment, ParsedEmail

AUTOMATION_HEADERS = (
    "auto-submitted",
    "precedence",
    "list-id",
    "list-unsubscribe",
    "list-post",
    "list-help",
    "list-owner",
    "list-subscribe",
    "list-archive",
    "return-path",
    "x-autoreply",
    "x-autorespond",
    "x-auto-response-suppress",
    "x-failed-recipients",
    "x-loop",
    "feedback-id",
    "authentication-results",
)

MAX_TEXT_CHARS = 100_000
_MAX_PARTS = 500
_HTML_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_links=False)
_BLANK_LINES = re.compile(r"\n{3,}")


class _ReadOnlyMessage(EmailMessage):
    """A message that is only read: each header is parsed into its object once.

    The stdlib parses a header anew on every `get` (a content type is asked for
    several times per part); a header that cannot be parsed still raises each time.
    """

    def get(self, name: str, failobj: Any = None) -> Any:
        cache: dict[str, Any] = self.__dict__.setdefault("_headers_read", {})
        key = name.lower()
        if key not in cache:
            cache[key] = super().get(name, _ABSENT)
        value = cache[key]
        return failobj if value is _ABSENT else value


_ABSENT = object()
_READ_ONLY = policy.default.clone(message_factory=_ReadOnlyMessage)


def parse_message(raw: bytes) -> ParsedEmail:
    """Parse one message; never raises."""
    defects: list[str] = []
    try:
        msg = email.message_from_bytes(raw, policy=_READ_ONLY)
    except Exception as exc:  # the stdlib parser is lenient; this is the last resort
        return ParsedEmail(defects=(f"unreadable message: {exc}",), text=_decode(raw, None))
    assert isinstance(msg, EmailMessage)

    defects.extend(_defect_names(msg))
    text, html_only, attachments = _body(msg, defects)
    return ParsedEmail(
        message_id=_header(msg, "message-id", defects).strip(),
        in_reply_to=_header(msg, "in-reply-to", defects).strip(),
        references=tuple(_header(msg, "references", defects).split()),
        sender=_first(_addresses(msg, "from", defects)),
        reply_to=_addresses(msg, "reply-to", defects),
        to=_addresses(msg, "to", defects),
        cc=_addresses(msg, "cc", defects),
        date=_date(msg, defects),
        subject=_one_line(_header(msg, "subject", defects)),
        text=text,
        html_only=html_only,
        attachments=tuple(attachments),
        automation={
            name: _header(msg, name, defects).strip()
            for name in AUTOMATION_HEADERS
            if msg.get(name) is not None
        },
        content_type=_safe(lambda: msg.get_content_type(), "text/plain"),
        defects=tuple(dict.fromkeys(defects)),
    )


# --- headers -----------------------------------------------------------------


def _header(msg: Message, name: str, defects: list[str]) -> str:
    """A header's decoded value, or "" when absent; unreadable ones fall back to raw."""
    try:
        value = msg.get(name)
        return "" if value is None else _unescaped(str(value))
    except Exception as exc:
        defects.append(f"unreadable {name} header ({type(exc).__name__})")
    for key, value in msg.raw_items():
        if key.lower() == name:
            return _decode_raw_header(str(value))
    return ""


def _unescaped(value: str) -> str:
    """Raw 8-bit header bytes (not MIME-encoded) arrive as surrogates: read them as UTF-8."""
    if not any("\udc80" <= c <= "\udcff" for c in value):
        return value
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _decode_raw_header(value: str) -> str:
    try:
        return str(make_header(decode_header(value)))
    except Exception:
        return value


def _addresses(msg: Message, name: str, defects: list[str]) -> tuple[Address, ...]:
    values = []
    try:
        header = msg.get(name)
        if header is None:
            return ()
        groups = getattr(header, "addresses", None)
        if groups is not None:
            values = [(_unescaped(a.display_name), _unescaped(a.addr_spec)) for a in groups]
    except Exception as exc:
        defects.append(f"unreadable {name} header ({type(exc).__name__})")
    if not values:
        raw = _header(msg, name, defects)
        values = email.utils.getaddresses([raw]) if raw else []
    found = []
    for display, addr in values:
        addr = (addr or "").strip().strip("<>")
        if "@" in addr and not any(c.isspace() for c in addr):
            found.append(Address(name=_one_line(display or ""), addr=addr))
    if values and not found:
        defects.append(f"no valid address in {name} header")
    return tuple(found)


def _date(msg: Message, defects: list[str]) -> datetime | None:
    raw = _header(msg, "date", defects)
    if not raw:
        return None
    try:
        return email.utils.parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        defects.append("unreadable Date header")
        return None


def _first(addresses: tuple[Address, ...]) -> Address | None:
    return addresses[0] if addresses else None


def _one_line(value: str) -> str:
    return " ".join(value.split())


# --- body --------------------------------------------------------------------


def _body(msg: EmailMessage, defects: list[str]) -> tuple[str, bool, list[Attachment]]:
    plain: list[str] = []
    html: list[str] = []
    attachments: list[Attachment] = []
    for part in _leaf_parts(msg, defects):
        content_type = _safe(part.get_content_type, "application/octet-stream")
        disposition = _safe(part.get_content_disposition, None)
        filename = _safe(part.get_filename, None)
        if disposition == "attachment" or filename:
            attachments.append(_attachment(part, content_type, filename))
            continue
        if content_type == "text/plain":
            plain.append(_text_of(part, defects))
        elif content_type == "text/html":
            html.append(_text_of(part, defects))
        else:
            attachments.append(_attachment(part, content_type, filename))
    if any(p.strip() for p in plain):
        return _tidy("\n\n".join(plain)), False, attachments
    if html:
        return _tidy("\n\n".join(_html_to_text(h, defects) for h in html)), True, attachments
    return "", False, attachments


def _leaf_parts(msg: Message, defects: list[str]) -> Iterator[Message]:
    count = 0
    for part in msg.walk():
        if part.is_multipart():
            continue
        if part.get_content_type() == "message/rfc822":
            continue
        count += 1
        if count > _MAX_PARTS:
            defects.append(f"more than {_MAX_PARTS} MIME parts; the rest were not read")
            return
        yield part


def _attachment(part: Message, content_type: str, filename: str | None) -> Attachment:
    payload = _safe(lambda: part.get_payload(decode=True), b"")
    size = len(payload) if isinstance(payload, bytes) else 0
    return Attachment(filename=_one_line(filename or ""), content_type=content_type, size=size)


def _text_of(part: Message, defects: list[str]) -> str:
    payload = _safe(lambda: part.get_payload(decode=True), None)
    if not isinstance(payload, bytes):
        payload = str(part.get_payload()).encode("utf-8", "replace")
    charset = _safe(part.get_content_charset, None)
    text = _decode(payload, charset, defects)
    if str(_safe(lambda: part.get_param("format"), "") or "").lower() == "flowed":
        delsp = str(_safe(lambda: part.get_param("delsp"), "") or "").lower() == "yes"
        return unflowed(text, delsp=delsp)
    return text


def unflowed(text: str, *, delsp: bool = False) -> str:
    """Plain text sent as `format=flowed` (RFC 3676), its soft line breaks joined.

    A line that ends in a space continues on the next line of the same quote
    depth; the signature line "-- " does not. Quoted lines keep their ">" marks,
    so quoted history is still told from the writer's own words.
    """
    lines: list[str] = []
    open_line, open_depth = "", -1
    for raw in text.replace("\r\n", "\n").split("\n"):
        content = raw.lstrip(">")
        depth = len(raw) - len(content)
        content = content[1:] if content.startswith(" ") else content  # space-stuffed
        if open_depth >= 0 and depth != open_depth:
            lines.append(_quoted(open_line, open_depth))
            open_line, open_depth = "", -1
        if content.endswith(" ") and content != "-- ":
            open_line += content[:-1] if delsp else content
            open_depth = depth
            continue
        lines.append(_quoted(open_line + content, depth))
        open_line, open_depth = "", -1
    if open_depth >= 0:
        lines.append(_quoted(open_line, open_depth))
    return "\n".join(lines)


def _quoted(line: str, depth: int) -> str:
    return f"{'>' * depth} {line}" if depth else line


def _decode(payload: bytes, charset: str | None, defects: list[str] | None = None) -> str:
    """Decode with the declared charset, then UTF-8, then Latin-1 (which never fails)."""
    for candidate in (charset, "utf-8"):
        if not candidate:
            continue
        try:
            return payload.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    if defects is not None:
        defects.append(f"text not valid in its charset ({charset or 'none declared'})")
    return payload.decode("latin-1")


def _html_to_text(html: str, defects: list[str]) -> str:
    try:
        return str(get_text(html, _HTML_CONFIG))
    except Exception as exc:
        defects.append(f"HTML could not be converted ({type(exc).__name__})")
        return re.sub(r"<[^>]+>", " ", html)


def _tidy(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_LINES.sub("\n\n", text).strip()[:MAX_TEXT_CHARS]


def _defect_names(msg: Message) -> list[str]:
    names = []
    for part in msg.walk():
        for defect in getattr(part, "defects", []):
            names.append(type(defect).__name__)
    return names


def _safe(call: Callable[[], Any], default: Any) -> Any:
    """Call an accessor of the stdlib's message API, which may raise on broken input."""
    try:
        return call()
    except Exception:
        return default


# Where an answer's quoted history starts: "On … wrote:" in the languages tenants
# write in, Outlook's separators and header blocks, and the office's own address.
_QUOTE_START = re.compile(
    r"^[ \t]*("
    r"(on|am|le|el|em|il|op|w dniu|vào|dne) .{0,200}"
    r"(wrote|schrieb|a écrit|escribió|escreveu|ha scritto|schreef|napisał|napisała|đã viết|napsal)"
    r".{0,40}:?"
    r"|-{2,} ?(original message|ursprüngliche nachricht|message d'origine|mensaje original"
    r"|mensagem original|messaggio originale|wiadomość oryginalna) ?-{2,}"
    r"|_{20,}"
    r"|(from|von|de|da|od): .*\n(sent|gesendet|envoyé|enviado|inviato|wysłano|date|datum): .*"
    r")[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.MULTILINE)


def own_words(text: str) -> str:
    """The writer's own text: the quoted history of earlier messages removed.

    Top-posted answers keep what comes before the history; bottom-posted ones
    (the history quoted first, then the answer) keep what comes after it.
    """
    start = _QUOTE_START.search(text)
    if start is not None:
        after = _QUOTED_LINE.sub("", text[start.end() :]).strip()
        before = text[: start.start()].strip()
        if before or not _QUOTED_LINE.match(text[start.end() :].lstrip("\n")):
            text = before or after  # top-posted (or history not quoted: Outlook)
        else:
            text = after  # bottom-posted: the answer follows the quoted history
    return _BLANK_LINES.sub("\n\n", _QUOTED_LINE.sub("", text)).strip()
