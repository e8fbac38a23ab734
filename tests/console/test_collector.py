"""The full garbage collection waits for the operator's pause (console/collector.py).

Python's own full collection stops the console for 100-300 ms under a backlog,
whenever it falls due: in the middle of a key press. These tests follow a
piece of old garbage (a reference cycle that lived long enough to reach the
oldest generation) and check when the console lets it go.
"""

from __future__ import annotations

import gc
import weakref

from console.collector import DUE, OVERDUE, QUIET_SECONDS, QuietCollector


class Node:
    def __init__(self) -> None:
        self.me = self  # a cycle: only a collection can free it


def old_garbage() -> weakref.ref[Node]:
    """A cycle that has reached the oldest generation and is garbage now."""
    node = Node()
    gc.collect(1)  # survives the young collections: now in the oldest generation
    gone = weakref.ref(node)
    del node
    return gone


def young_collections(count: int) -> None:
    for _ in range(count):
        gc.collect(1)


def test_old_garbage_waits_while_the_operator_types_and_goes_when_they_pause() -> None:
    collector = QuietCollector()
    collector.start()
    try:
        garbage = old_garbage()
        young_collections(DUE)
        assert not collector.tick(seconds_since_key=0.1)  # a key a moment ago
        assert garbage() is not None
        assert collector.tick(seconds_since_key=QUIET_SECONDS + 0.1)
        assert garbage() is None
    finally:
        collector.stop()


def test_an_operator_who_never_pauses_still_gets_their_memory_back() -> None:
    collector = QuietCollector()
    collector.start()
    try:
        garbage = old_garbage()
        young_collections(OVERDUE)
        assert collector.tick(seconds_since_key=0.0)
        assert garbage() is None
    finally:
        collector.stop()


def test_python_collects_as_before_once_the_last_console_stops() -> None:
    before = gc.get_threshold()
    first, second = QuietCollector(), QuietCollector()  # two consoles in one process
    first.start()
    second.start()
    first.stop()
    assert gc.get_threshold()[2] != before[2]  # the second still holds it
    second.stop()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert not second.tick(seconds_since_key=60.0)  # stopped: nothing to do
