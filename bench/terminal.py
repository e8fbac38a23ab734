"""The console in a real terminal, measured like a person: keys in, screen out (tmux).

`python -m console` runs in a tmux window against loopback mail servers that
live in another process (as a real server would): `tmux send-keys` presses a
key, `tmux capture-pane` reads the screen until the detail pane shows another
message. That is key → repaint as the operator sees it, terminal included.

Two situations: the pipeline working through a backlog of generated tenant
mail, and an idle console holding a large queue. A third run moves, reads and
approves in quick succession and checks, in the store, that every approval
was for the message whose subject was on screen when `a` was pressed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.results import Result, median_ms, p95_ms

WIDTH, HEIGHT = 160, 48
_MESSAGE_ID = re.compile(rb"^Message-ID:[^\r\n]*", re.IGNORECASE | re.MULTILINE)
_SUBJECT = re.compile(rb"^Subject:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.IGNORECASE | re.MULTILINE)
_DETAIL_SUBJECT = re.compile(r"│ Subject: (.*?)\s*$")
_DETAIL_NUMBER = re.compile(r"│ Received: .*State: review\s+#(\d+)")


# --- the mailbox ---------------------------------------------------------------------------


def write_backlog(source: Path, folder: Path, count: int) -> None:
    """`count` tenant messages made from the demo mail, each with its own id and subject."""
    folder.mkdir(parents=True, exist_ok=True)
    demo = sorted(source.glob("*.eml"))
    for n in range(count):
        raw = demo[n % len(demo)].read_bytes()
        raw = _MESSAGE_ID.sub(f"Message-ID: <bench-{n}@bench.example>".encode(), raw, count=1)
        # The number first: it stays visible however the subject is cut on screen.
        found = _SUBJECT.search(raw)
        if found:
            subject = b"Subject: [%d] " % n + found.group(0)[8:].lstrip()
            raw = raw[: found.start()] + subject + raw[found.end() :]
        (folder / f"{n:05d}.eml").write_bytes(raw)


def serve(folder: Path, sent: Path) -> None:
    """`python -m bench.terminal serve FOLDER SENT`: the loopback servers, in their own process.

    Dovecot (as the tests use) when it is installed: a C server takes little
    of the CPU the console competes for, as a remote server would; otherwise
    the demo's pymap server.
    """
    import asyncio

    from core.service.demo import DemoMailServers
    from tests.support.dovecot import dovecot_unavailable_reason

    if dovecot_unavailable_reason() is None:
        asyncio.run(_serve_dovecot(folder))
        return

    async def run() -> None:
        async with DemoMailServers(folder, sent) as endpoints:
            print(json.dumps({**endpoints.__dict__, "user": "office@example.com"}), flush=True)
            await asyncio.Event().wait()

    asyncio.run(run())


async def _serve_dovecot(folder: Path) -> None:
    import asyncio
    import imaplib
    import tempfile
    from datetime import datetime, timedelta, timezone

    from aiosmtpd.smtp import SMTP

    from tests.support.dovecot import DovecotServer
    from tests.support.tls import create_certificate

    class Discard:
        async def handle_DATA(self, server: object, session: object, envelope: object) -> str:
            return "250 OK"

    with tempfile.TemporaryDirectory() as certs:
        dovecot = DovecotServer(create_certificate(Path(certs)))
        dovecot.start()
        try:
            account = dovecot.add_user()
            imap = imaplib.IMAP4(account.host, account.port)
            imap.login(account.user, account.password)
            files = sorted(folder.glob("*.eml"))  # noqa: ASYNC240 (setting up, nothing to wait for)
            now = datetime.now(timezone.utc)
            for n, path in enumerate(files):
                when = now - timedelta(minutes=len(files) - n)
                imap.append("INBOX", None, when, path.read_bytes())
            imap.logout()
            loop = asyncio.get_running_loop()
            smtp = await loop.create_server(lambda: SMTP(Discard()), "127.0.0.1", 0)
            ports = {
                "imap_port": account.port,
                "smtp_port": smtp.sockets[0].getsockname()[1],
                "password": account.password,
                "user": account.user,
            }
            print(json.dumps(ports), flush=True)
            stop = asyncio.Event()
            loop.add_signal_handler(signal.SIGTERM, stop.set)
            await stop.wait()
        finally:
            dovecot.stop()


@contextmanager
def mail_servers(folder: Path, sent: Path) -> Iterator[dict[str, int | str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.terminal", "serve", str(folder), str(sent)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        yield json.loads(process.stdout.readline())
    finally:
        process.terminate()  # Dovecot is stopped on the way out
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def console_env(ports: dict[str, int | str], data: Path, output: Path) -> dict[str, str]:
    """The assistant's settings for the loopback servers: offline, two intents auto-sent."""
    return {
        "PATH": os.environ.get("PATH", ""),
        "TERM": "xterm-256color",
        "IMAP_HOST": "127.0.0.1",
        "IMAP_PORT": str(ports["imap_port"]),
        "IMAP_USER": str(ports["user"]),
        "IMAP_PASSWORD": str(ports["password"]),
        "IMAP_SECURITY": "none",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(ports["smtp_port"]),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "Harbor & Elm <office@example.com>",
        "DATA_DIR": str(data),
        "OUTPUT_DIR": str(output),
        "LLM_PROVIDER": "offline",
        "UNREAD_DAYS_BACK": "30",
        "AUTO_SEND": "maintenance,rent",
    }


# --- the terminal --------------------------------------------------------------------------


class Tmux:
    """One tmux server of our own, one window of a fixed size, driven in control mode.

    A control-mode client (`tmux -C`) takes commands on its stdin and answers
    each in a `%begin … %end` block: pressing a key or reading the screen costs
    a fraction of a millisecond, where starting a `tmux` process per poll would
    take the CPU the console is being measured on.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self._client: subprocess.Popen[str] | None = None
        self._serial = 0

    def start(self, command: list[str], env: dict[str, str], cwd: Path) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True, check=False)
        exports = " ".join(f"{k}={_quote(v)}" for k, v in env.items())
        line = f"cd {_quote(str(cwd))} && env {exports} {' '.join(map(_quote, command))}"
        size = ["-x", str(WIDTH), "-y", str(HEIGHT)]
        subprocess.run(
            ["tmux", "-L", self.name, "new-session", "-d", "-s", "c", *size, line], check=True
        )
        self._client = subprocess.Popen(
            ["tmux", "-L", self.name, "-C", "attach", "-t", "c"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            encoding="utf-8",
            errors="replace",  # %output notifications may cut a character in two
            bufsize=1,
        )

    def press(self, key: str) -> None:
        self._command(f"send-keys -t c {key}")

    def screen(self) -> list[str]:
        return self._command("capture-pane -p -t c")

    def close(self) -> None:
        if self._client is not None:
            self._client.kill()
            self._client.wait()
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True, check=False)

    def _command(self, command: str) -> list[str]:
        """Run one command; its answer is the block just before our numbered marker's."""
        client = self._client
        assert client is not None and client.stdin is not None
        self._serial += 1
        marker = f"done-{self._serial}"
        client.stdin.write(f"{command} ; display-message -p {marker}\n")
        client.stdin.flush()
        answer: list[str] = []
        while (block := self._block()) != [marker]:
            answer = block  # earlier answers still in the pipe are passed over
        return answer

    def _block(self) -> list[str]:
        """The next `%begin … %end` answer; notifications (`%output` …) between are skipped."""
        assert self._client is not None and self._client.stdout is not None
        answer: list[str] | None = None
        for line in self._client.stdout:
            if line.startswith("%begin"):
                answer = []
            elif answer is not None and line.startswith(("%end", "%error")):
                return answer
            elif answer is not None:
                answer.append(line.rstrip("\n"))
        raise RuntimeError("the tmux client stopped")


def detail_subject(screen: list[str]) -> str | None:
    """The subject in the detail pane's summary, as on screen."""
    for line in screen:
        found = _DETAIL_SUBJECT.search(line)
        if found:
            return found.group(1)
    return None


def wait_for(tmux: Tmux, predicate: object, timeout: float) -> list[str]:
    deadline = time.perf_counter() + timeout
    while True:
        screen = tmux.screen()
        if predicate(screen):  # type: ignore[operator]
            return screen
        if time.perf_counter() > deadline:
            raise RuntimeError("the console never showed what was expected:\n" + "\n".join(screen))
        time.sleep(0.05)


def key_latencies(tmux: Tmux, presses: int, *, pace: float = 0.15) -> list[float]:
    """Seconds from a j/k key to the detail pane showing another message.

    Starts two pages down, so fifteen moves down and fifteen up never meet an
    end of the queue (where a key rightly changes nothing).
    """
    rng = random.Random(3)
    for _ in range(2):
        tmux.press("PageDown")
        time.sleep(0.3)
    latencies = []
    for n in range(presses):
        key = "j" if (n // 15) % 2 == 0 else "k"
        before = detail_subject(tmux.screen())  # what is on screen as the key goes in
        started = time.perf_counter()
        tmux.press(key)
        while True:
            subject = detail_subject(tmux.screen())
            elapsed = time.perf_counter() - started
            if subject is not None and subject != before:
                break
            if elapsed > 2.0:
                print(f"no repaint after {key!r}:", *tmux.screen(), sep="\n", file=sys.stderr)
                break
        latencies.append(elapsed)
        time.sleep(pace * rng.uniform(0.7, 1.3))  # a person reads a little
    return latencies


# --- the runs ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    root: Path
    work: Path

    def console_env(self, ports: dict[str, int | str], output: Path) -> dict[str, str]:
        return console_env(ports, self.root / "data", output)

    @contextmanager
    def console(self, name: str, backlog: int, output: Path) -> Iterator[Tmux]:
        mail = self.work / f"{name}-mail"
        shutil.rmtree(mail, ignore_errors=True)
        write_backlog(self.root / "data" / "demo", mail, max(backlog, 1))
        with mail_servers(mail, self.work / f"{name}-sent") as ports:
            tmux = Tmux(f"bench-{name}-{os.getpid()}")
            env = self.console_env(ports, output)
            tmux.start([sys.executable, "-m", "console", "--env-file", "/dev/null"], env, self.root)
            try:
                yield tmux
            finally:
                tmux.close()
                stop_services(output / "state.sqlite3")


def stop_services(database: Path, wait: float = 10.0) -> None:
    """Stop the service a console started. A console killed with its terminal leaves it
    running, as it should (mail keeps flowing); here it would take the processor the
    next measurement is made on."""
    if not database.exists():
        return
    db = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        pids = [int(row[0]) for row in db.execute("SELECT pid FROM services WHERE stopped = 0")]
    finally:
        db.close()
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + wait
    while any(Path(f"/proc/{pid}").exists() for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def measure_under_load(run: Run, backlog: int) -> tuple[list[float], int]:
    """Key latencies while the backlog is handled, and how many mails were handled meanwhile."""
    output = run.work / "load-out"
    with run.console("load", backlog, output) as tmux:
        wait_for(tmux, lambda s: detail_subject(s) is not None, 30)
        time.sleep(2)  # a hundred rows or so: room to move either way
        before = _handled(output / "state.sqlite3")
        latencies = key_latencies(tmux, 60)
        return latencies, _handled(output / "state.sqlite3") - before


def measure_idle(run: Run, count: int) -> list[float]:
    from bench.console import seed

    output = run.work / "idle-out"
    seed(output / "state.sqlite3", count)
    with run.console("idle", 0, output) as tmux:
        wait_for(tmux, lambda s: detail_subject(s) is not None, 30)
        time.sleep(12)  # every row in the table, the lone message handled
        return key_latencies(tmux, 60)


def approve_what_is_seen(run: Run, backlog: int, tries: int = 50) -> tuple[int, int]:
    """Move, read briefly, approve, while the backlog is handled: (approvals, of the one seen).

    Like a person: move down or up, glance at the detail, and press `a` when it
    shows a message waiting for review. Every approval the store records must
    be of the item whose number the detail showed at that moment.
    """
    output = run.work / "approve-out"
    database = output / "state.sqlite3"
    rng = random.Random(5)
    approvals = matching = 0
    with run.console("approve", backlog, output) as tmux:
        wait_for(tmux, lambda s: detail_subject(s) is not None, 30)
        for move in range(tries * 10):
            if approvals >= tries:
                break
            tmux.press("j" if (move // 10) % 2 == 0 else "k")
            time.sleep(rng.uniform(0.15, 0.4))  # a quick read
            screen = tmux.screen()
            seen = next((m.group(1) for m in map(_DETAIL_NUMBER.search, screen) if m), None)
            if seen is None:
                continue  # not a message waiting for review
            before = _approved(database)
            tmux.press("a")
            after = before
            deadline = time.perf_counter() + 3.0  # the store may be busy with the backlog
            while len(after) == len(before) and time.perf_counter() < deadline:
                time.sleep(0.05)
                after = _approved(database)
            for item_id in after[len(before) :]:
                approvals += 1
                if str(item_id) == seen:
                    matching += 1
                else:
                    print(
                        f"approved #{item_id} while #{seen} was on screen:",
                        *screen,
                        sep="\n",
                        file=sys.stderr,
                    )
    return approvals, matching


def _handled(path: Path) -> int:
    """Mail that has come to rest (sent, held for review, skipped, ...)."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = db.execute(
            "SELECT COUNT(*) FROM items "
            "WHERE state NOT IN ('new', 'triaged', 'approved', 'sending')"
        ).fetchone()
    finally:
        db.close()
    return int(row[0])


def _approved(path: Path) -> list[int]:
    """The items an operator approved, in order."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT item_id FROM audit WHERE actor LIKE 'operator%' AND to_state = 'approved' "
            "ORDER BY id"
        ).fetchall()
    finally:
        db.close()
    return [int(row[0]) for row in rows]


def measure_terminal(root: Path, work: Path, items: int, backlog: int = 1000) -> list[Result]:
    if shutil.which("tmux") is None:
        print("tmux is not installed: the terminal measurements are skipped", file=sys.stderr)
        return []
    run = Run(root, work)
    loaded, handled = measure_under_load(run, backlog)
    idle = measure_idle(run, items)
    approved, matching = approve_what_is_seen(run, backlog)
    return [
        Result(
            f"terminal: key → detail, {backlog}-mail backlog, p95", p95_ms(loaded), "ms", 50, False
        ),
        Result("  mails handled while measuring", handled, "mails", 100, True),
        Result("  median", median_ms(loaded), "ms", 50, False),
        Result(f"terminal: key → detail, {items} items idle, p95", p95_ms(idle), "ms", 30, False),
        Result("  median", median_ms(idle), "ms", 30, False),
        Result(
            f"terminal: approvals of the message on screen ({approved} approved)",
            100.0 * matching / approved if approved else 0.0,
            "%",
            100,
            True,
        ),
    ]


def _quote(value: str) -> str:
    return "'" + value.replace("'", "'\\''") + "'"


if __name__ == "__main__":
    if sys.argv[1:2] == ["serve"]:
        serve(Path(sys.argv[2]), Path(sys.argv[3]))
    else:
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            here = Path(__file__).resolve().parents[1]
            count = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
            for result in measure_terminal(here, Path(folder), count):
                print(result.line())
