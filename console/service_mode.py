"""Where the mail work runs while a console is open."""

from __future__ import annotations

from enum import Enum


class Service(Enum):
    """Where the mail work runs while the console is open."""

    PROCESS = "process"  # a service process: the running one, or one started for this console
    INLINE = "inline"  # in the console's own process (the tests' choice: one clock for both)
    NONE = "none"  # nowhere: the console shows the store as it is (snapshots, benchmarks)
