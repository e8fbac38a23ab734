"""The form every language of the phrasebook fills in: one named phrase per field.

A translator reads this file for what each phrase is for, and the language's
own module (`en.py` is the reference) for the words. Text in `{braces}` is
filled in by code and must stay as it is: the same placeholders in every
language (tests check it), except that a greeting may leave out the name.

Rules every language keeps, as the English does: say only what has happened
(the request is logged, the team is alerted or copied), never what has not
(no "a locksmith is on the way"); an unknown sender gets no account details;
advice for a danger to life ends with the emergency number; damage to the
building never sends anyone to the emergency services.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phrases:
    """Every tenant-facing phrase of the offline replies, in one language."""

    # --- the language ---------------------------------------------------------------
    code: str  # ISO 639-1: "en", "es", ...
    # Money: 1,234.56 in English. The amount has no currency sign (the records have none).
    decimal_mark: str
    thousands_separator: str

    # --- the letter around every reply -------------------------------------------------
    greeting: str  # {first_name}: the tenant's first name, from our records
    greeting_unknown: str  # to a sender we could not match to a tenant
    signature: str  # the sign-off and who signs, on two lines
    # {unit} is the unit's address from the data files; without one, this:
    unit_fallback: str  # {unit_id}: "HV-101"
    copied: str  # after the first paragraph; {people}: "a@x.com, b@x.com and c@x.com"
    and_word: str  # joins the last two addresses in {people}

    # --- first reply, by what the tenant wrote about --------------------------------------
    lockout_alerted: str
    lockout_keep_phone: str  # when we have no phone number on file
    lockout_keep_phone_at: str  # {phone}: the tenant's number on file
    maintenance_urgent: str  # an emergency (safety advice follows)
    maintenance_logged: str
    maintenance_if_worse: str
    rent_balance: str  # {amount}: what is due, written with the marks above
    rent_no_balance: str
    rent_accounts: str
    general_urgent: str  # an emergency (safety advice follows)
    general_received: str
    unknown_not_matched: str  # no tenant data at all in a reply to an unknown sender
    unknown_verify: str

    # --- follow-ups: what each kind of request is called, who takes it, what they arrange ---
    # {label}, {team} and {arrange} in the follow-up phrases below are these words.
    # Each language picks forms that fit every sentence it puts them in (see its module).
    label_locked_out: str
    label_maintenance: str
    label_rent: str
    label_general: str
    team_locked_out: str
    team_maintenance: str
    team_rent: str
    team_general: str
    arrange_locked_out: str
    arrange_maintenance: str
    arrange_rent: str
    arrange_general: str

    # --- follow-ups: answers in a conversation (each kind has a second wording for later) ---
    reopened: str  # the problem is back after the request was closed
    reopened_next: str
    update: str  # new information
    update_next: str
    update_again: str
    update_again_next: str
    chaser: str  # nothing has happened yet: an apology, no time promised
    chaser_next: str
    chaser_again: str
    chaser_again_next: str
    resolved: str  # the tenant says it is sorted out
    resolved_next: str
    closing: str  # thanks, ok
    new_request: str  # another problem in the same conversation
    new_request_next: str

    # --- emergencies: the first safe steps -------------------------------------------------
    # {services}: the emergency number on file ("911 (fire, ambulance, police)"), or this:
    generic_services: str
    # {gas}: the gas utility's number on file, or {services}.
    life_gas: str
    life_co: str
    life_fire: str
    life_electrical: str
    life_structural: str
    life_person: str  # always the last line for a danger to life
    property_water: str
    property_sewage: str
    property_insecure: str
    property_cold: str
    property_no_water: str
    maintenance_line: str  # {line}: the building's emergency maintenance number
    no_maintenance_line: str
    locksmith: str  # {locksmith}: the locksmith's number on file

    # --- the automatic holding reply to an emergency (nobody at the console) -----------------
    holding_greeting: str  # {first_name}
    holding_alerted_life: str
    holding_alerted_property: str
    holding_if_changes: str
    holding_automatic: str

    def money(self, amount: float) -> str:
        """An amount as this language writes it: 1,234.56 · 1.234,56 · 1 234,56."""
        whole, cents = f"{amount:,.2f}".split(".")
        return whole.replace(",", self.thousands_separator) + self.decimal_mark + cents

    def join(self, items: list[str]) -> str:
        """ "a", "a and b", "a, b and c"."""
        if len(items) <= 1:
            return "".join(items)
        return ", ".join(items[:-1]) + f" {self.and_word} " + items[-1]
