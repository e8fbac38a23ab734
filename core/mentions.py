"""Who a text names: every tenant's addresses, phone numbers and names, found in one pass.

A draft must never carry another tenant's data. Checking that by looping over
the portfolio costs a draft as much as the portfolio is large; this index is
built once per datastore (on first use) and reads a draft in time that depends on
the draft alone: the addresses, phone numbers and runs of words in it are each
looked up in a table.

- An address counts when it appears whole (`maria@example.com`, any case).
- A phone number counts when its digits appear as one number in the text, with
  any punctuation (`+1 (555) 010-1234`, `555.010.1234`), the country code or
  not (at least seven digits in common, counted from the end).
- A name of five letters or more counts when its words appear in a row, in any
  case and with any spacing or punctuation between them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from core.models import Tenant

_ADDRESS = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"\+?\d[\d ()./-]{5,}\d")
_WORD = re.compile(r"\w+")
_NOT_DIGIT = re.compile(r"\D")
SHORTEST_NAME = 5  # shorter names ("Li", "Ana") are too often ordinary words
SHORTEST_NUMBER = 7  # digits a phone number and a number in the text share, from the end
LONGEST_NAME = 6  # words in a name, at most, that the index looks for


class Mentions:
    """The portfolio's identifying details, each pointing at the tenants it identifies."""

    def __init__(self, tenants: Iterable[Tenant]) -> None:
        self._order: dict[str, int] = {}
        self._addresses: dict[str, set[str]] = defaultdict(set)
        self._numbers: dict[str, set[str]] = defaultdict(set)  # the last 7 digits
        self._phones: dict[str, str] = {}  # tenant → all the digits of its phone number
        self._names: dict[tuple[str, ...], set[str]] = defaultdict(set)
        self._longest = 1
        for tenant in tenants:
            who = tenant.tenant_id
            self._order.setdefault(who, len(self._order))
            for address in tenant.addresses:
                self._addresses[address].add(who)
            digits = _NOT_DIGIT.sub("", tenant.phone or "")
            if len(digits) >= SHORTEST_NUMBER:
                self._numbers[digits[-SHORTEST_NUMBER:]].add(who)
                self._phones[who] = digits
            words = tuple(_WORD.findall(tenant.name.lower()))
            if len(tenant.name) >= SHORTEST_NAME and 0 < len(words) <= LONGEST_NAME:
                self._names[words].add(who)
                self._longest = max(self._longest, len(words))

    def named_in(self, text: str) -> set[str]:
        """The tenants whose address, phone number or name the text contains."""
        lowered = text.lower()
        found: set[str] = set()
        for address in _ADDRESS.findall(lowered):
            found |= self._addresses.get(address.strip(".-"), set())
        for number in _PHONE.findall(text):
            digits = _NOT_DIGIT.sub("", number)
            if len(digits) >= SHORTEST_NUMBER:
                for who in self._numbers.get(digits[-SHORTEST_NUMBER:], ()):
                    if self._phones[who].endswith(digits) or digits.endswith(self._phones[who]):
                        found.add(who)
        words = _WORD.findall(lowered)
        for start in range(len(words)):
            for length in range(1, min(self._longest, len(words) - start) + 1):
                found |= self._names.get(tuple(words[start : start + length]), set())
        return found

    def others_named_in(self, text: str, tenant: Tenant | None) -> list[str]:
        """The tenants other than `tenant` the text names, in the datastore's order."""
        found = self.named_in(text)
        if tenant is not None:
            found.discard(tenant.tenant_id)
        return sorted(found, key=self._order.__getitem__)
