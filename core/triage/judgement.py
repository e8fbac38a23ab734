"""Is this an emergency, how grave, and what made us think so: the net and the model, combined.

Two readers look at the writer's own words:

- the safety net (`core.triage.safety_net`): danger patterns in ten languages, each
  judged for how it stands (now, or over, denied, asked about, elsewhere);
- the learned model (`core.triage.learned`): how likely labelled tenant mail with
  words like these was an emergency.

They are combined for recall first, then for an alarm that means something:

- an **emergency** (someone is paged) when the net finds danger happening now
  and the model, reading the sentences around what the net found, does not
  find them plainly harmless (`VETO`; for what happens to a person, not
  unlikely: `PERSON_EVENTS`); or when the model is sure of the whole
  text on its own (`SURE`): danger described in words no pattern knows, unless
  its score came from sentences the net has placed (denied, over, asked about),
  or the writer says they looked and it is not there ("nothing is leaking"; for a
  danger to life, "there's nobody in it");
- **possible danger** (a person looks first, nobody is paged) when only one of
  them points at danger: the net's finding the model doubts, a finding the net
  cannot place (denied, asked about, over), or a model's mid-way score
  (`POSSIBLE`);
- nothing otherwise.

Two facts about the place or the people found apart (no heat, and the cold) are
not vetoed by a window that holds one of them; and in a script the model never
learned from (Chinese, Arabic) its score means nothing, so the net decides alone.

The grade comes from the kinds of danger the net found (`core.triage.emergency`), and
from the model's second score when the net found none. Pure, and cached per
text: triage and the offline drafts ask about the same email.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Protocol

from core.models import Grade
from core.triage.circumstances import VULNERABLE
from core.triage.dangers import FLAGS
from core.triage.emergency import grade_of
from core.triage.learned import DangerModel, danger_model
from core.triage.safety_net import Finding, Screening, screen
from core.triage.standing import Standing, told_as_now

SURE = 0.7  # the model alone makes an emergency from here
# Below these (read around a finding), the net's finding is possible danger only; a
# danger to life needs less to stand ("My 2 year old daughter is locked inside alone!"
# scores 0.24).
VETO = {Grade.LIFE: 0.2, Grade.PROPERTY: 0.35}
POSSIBLE = 0.6  # the model alone holds the email for a person from here
# What happens to a person (a fall, an attack, fear) is told in the past tense even while
# it goes on ("I fell and can't get up"), so its tense cannot place it: "I broke my ankle
# skiing" is a story. Such a finding, unless its sentence says it goes on now, pages only
# when the model (reading it, or the whole email) finds an emergency at least as likely
# as `POSSIBLE`; else a person looks first.
PERSON_EVENTS = frozenset({"injured", "violence", "afraid"})
# A danger the net found only denied, over, asked about or elsewhere holds the email for a
# person when the model, too, finds it this close to an emergency; below, it is settled.
DOUBT = 0.25
# Below this the model finds a text far from any danger, and the net is not run (its
# false alarms on such mail cost more precision than the run costs time): of the 579
# labelled emergencies in the development and blind sets (in the scripts the model has
# learned) the lowest scores 0.104. A thin margin, so the blind sets' tests, which fail on
# any emergency answered as routine, are what guard it.
QUIET = 0.1
# Fewer words than this tell the model too little to decide anything alone.
ENOUGH_WORDS = 8
_WORD = re.compile(r"[^\W\d_]+")
_PLACED = frozenset(
    {Standing.DENIED, Standing.OVER, Standing.ASKED, Standing.PLANNED, Standing.CONDITIONAL}
)
# Letters of the scripts the model has learned from (Latin, with Vietnamese's marks); in
# mostly other scripts (Chinese, Arabic…) its scores mean nothing and the net decides alone.
_LEARNED_SCRIPT = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff]")
_VULNERABLE = re.compile(VULNERABLE, FLAGS)


@dataclass(frozen=True)
class Judgement:
    grade: Grade | None  # an emergency, and how grave; None when it is not one
    possible: bool  # danger the words do not settle: a person looks, nobody is paged
    kinds: tuple[str, ...]  # the kinds of danger found (the net's vocabulary)
    reason: str  # what the operator reads: the words matched, or the model's score
    probability: float  # the learned model's: how likely an emergency
    screening: Screening

    @property
    def emergency(self) -> bool:
        return self.grade is not None


NOTHING = Judgement(None, False, (), "", 0.0, Screening())


def is_vulnerable(text: str) -> bool:
    """A baby, an elderly or frail person is there: no heat or water endangers a life."""
    return bool(_VULNERABLE.search(text))


@lru_cache(maxsize=512)
def judge(subject: str, text: str) -> Judgement:
    """The judgement on a subject and the writer's own words (quotes already removed)."""
    model = danger_model()
    probability, life = model.probabilities(subject, text)
    learned = _in_learned_script(f"{subject} {text}")
    if probability < QUIET and learned:  # far from any danger: the patterns can rest
        return Judgement(None, False, (), "", probability, Screening())
    screening = screen(subject, text)
    found = tuple(dict.fromkeys(f.kind for f in screening.findings))
    # The net's findings the model does not dismiss, read where they were found.
    certain = [f for f in screening.findings if f.certain]
    # The model reads a finding's sentences; two facts found apart (no heat, and the
    # cold) are not in those sentences together, and in a script it has not learned
    # its score means nothing: there the net's finding stands.
    read = [i for i, f in enumerate(certain) if learned and not f.corroborated]
    around = model.probabilities_of(subject, [certain[i].context or text for i in read])
    vetoed = {
        i
        for i, (p, _) in zip(read, around, strict=True)
        if p < VETO[grade_of([certain[i].kind])]
        or (_a_story(certain[i]) and max(p, probability) < POSSIBLE)
    }
    upheld = [f for i, f in enumerate(certain) if i not in vetoed]
    if upheld:
        kinds = tuple(dict.fromkeys(f.kind for f in upheld))
        grade = grade_of(kinds, vulnerable=is_vulnerable(text))
        reason = "; ".join(f"{f.reason}: '{f.words}'" for f in upheld[:2])
        return Judgement(grade, False, kinds, reason, probability, screening)
    if len(_WORD.findall(text)) < ENOUGH_WORDS or not learned:
        probability = min(probability, POSSIBLE - 0.01)
    if probability >= SURE and not _explained_away(model, subject, text, screening):
        grade = Grade.LIFE if life >= 0.5 else Grade.PROPERTY
        reason = f"reads like an emergency ({probability:.0%} by the learned model)"
        if grade is Grade.PROPERTY and screening.declined:  # the writer can judge that
            return Judgement(None, True, found, reason, probability, screening)
        # The writer looked and says it is not there: a person reads it before anyone is
        # woken. (That nobody is hurt says nothing of a hole in the wall.)
        if screening.all_clear or (grade is Grade.LIFE and screening.nobody_in_danger):
            return Judgement(None, True, found, reason, probability, screening)
        return Judgement(grade, False, found, reason, probability, screening)
    unsettled = certain or (screening.findings and probability >= DOUBT)
    if unsettled or probability >= POSSIBLE:
        reason = screening.reason() or f"may describe danger ({probability:.0%} by the model)"
        return Judgement(None, True, found, reason, probability, screening)
    return Judgement(None, False, (), "", probability, screening)


def _a_story(finding: Finding) -> bool:
    """Something that happened to a person, told without saying it goes on now."""
    return finding.kind in PERSON_EVENTS and not told_as_now(finding.sentence or finding.context)


def _in_learned_script(text: str) -> bool:
    letters = _WORD.findall(text)
    total = sum(len(w) for w in letters)
    return total == 0 or len(_LEARNED_SCRIPT.findall(text)) * 2 >= total


def _explained_away(model: DangerModel, subject: str, text: str, screening: Screening) -> bool:
    """The net found danger words and placed them (denied, over, asked about, planned,
    hypothetical), and without those sentences the text no longer reads like an emergency:
    the model's score came from the words the net has already read. "Elsewhere" and a
    nuisance are the net's weaker readings, and do not take the model's word away."""
    placed = [f.sentence for f in screening.findings if f.standing in _PLACED and f.sentence]
    if not placed:
        return False
    rest = text
    for sentence in placed:
        rest = rest.replace(sentence, " ")
    return len(_WORD.findall(rest)) < ENOUGH_WORDS or model.probabilities(subject, rest)[0] < SURE


def with_model(judgement: Judgement, answer: ModelAnswer | None) -> Judgement:
    """The judgement with a model's own answer to the emergency question, for recall: the
    model can raise an email to an emergency or to possible danger, never lower one."""
    if answer is None or judgement.emergency:
        return judgement
    if answer.happening_now and answer.grade in ("life", "property"):
        reason = f"the model reads an emergency: {answer.situation}".rstrip(": ")
        return replace(judgement, grade=Grade(answer.grade), possible=False, reason=reason)
    if answer.grade == "unsure" and not judgement.possible:
        reason = f"the model is unsure: {answer.situation}".rstrip(": ")
        return replace(judgement, possible=True, reason=reason)
    return judgement


class ModelAnswer(Protocol):
    """A model's answer to the emergency question (`core.providers.danger_check`)."""

    situation: str
    happening_now: bool
    grade: str
