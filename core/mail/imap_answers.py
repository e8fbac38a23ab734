"""What an IMAP server answers, read, and what is sent to it, quoted: pure functions.

aioimaplib hands back the lines of an answer as it got them; these read the
parts the inbox needs (the UIDs a SEARCH found, a message's INTERNALDATE, a
mailbox's name in a LIST line, a count in an untagged line) without the
locale's month names and whatever the server's small differences.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
UIDVALIDITY = re.compile(rb"\[UIDVALIDITY (\d+)\]")
INTERNALDATE = re.compile(rb'INTERNALDATE "([^"]+)"')
COUNT = re.compile(rb"^\* (\d+) (EXISTS|EXPUNGE)\b", re.IGNORECASE)  # an untagged count
LIST_LINE = re.compile(r'^(?:LIST )?\((?P<flags>[^)]*)\) (?:"[^"]*"|NIL) (?P<name>.+)$', re.I)


def imap_date(day: date) -> str:
    """`25-Nov-2026`, independent of the locale."""
    return f"{day.day}-{MONTHS[day.month - 1]}-{day.year}"


def is_keepalive(push: Any) -> bool:
    """An IDLE push made only of untagged OK lines: the server saying it is still there."""
    if not isinstance(push, list) or not push:
        return False
    lines = [bytes(line).strip().upper() for line in push if isinstance(line, (bytes, bytearray))]
    return bool(lines) and all(line.startswith(b"OK") for line in lines)


def search_result(response: Any) -> list[int]:
    """UIDs from a SEARCH answer (aioimaplib strips the `SEARCH` word; some servers don't)."""
    uids: list[int] = []
    for line in answer_lines(response)[:-1]:  # the last line is the tagged completion
        tokens = line.split()
        if tokens and tokens[0].upper() == b"SEARCH":
            tokens = tokens[1:]
        if tokens and all(token.isdigit() for token in tokens):
            uids.extend(int(token) for token in tokens)
    return sorted(uids)


def parse_internaldate(value: str) -> datetime | None:
    """`25-Nov-2026 09:30:00 +0100`, parsed without the locale's month names."""
    try:
        day, month, rest = value.strip().split("-", 2)
        numeric = f"{day.zfill(2)}-{MONTHS.index(month.title()) + 1:02d}-{rest}"
        return datetime.strptime(numeric, "%d-%m-%Y %H:%M:%S %z")
    except ValueError:
        return None


def answer_lines(response: Any) -> list[bytes]:
    """The lines of an answer, the tagged completion last."""
    return [bytes(line) for line in response.lines if isinstance(line, (bytes, bytearray))]


def answer_text(response: Any) -> str:
    """The server's own words for how a command ended: "NO [AUTHENTICATIONFAILED] …"."""
    lines = answer_lines(response)
    return lines[-1].decode("utf-8", "replace") if lines else "no answer"


def listed(response: Any) -> list[tuple[str, str]]:
    """(flags, name) of each mailbox in a LIST answer."""
    found = (LIST_LINE.match(line.decode("utf-8", "replace")) for line in answer_lines(response))
    return [(match["flags"], unquote(match["name"])) for match in found if match]


def unquote(value: str) -> str:
    """A mailbox name as the server wrote it, quoted or not."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def quote(value: str) -> str:
    """A string as a command's quoted argument."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def why(exc: BaseException) -> str:
    """What went wrong, in words, even for an exception that carries none."""
    return str(exc) or type(exc).__name__
