"""The cost of an email on the path users run: `--headless --once` through a backlog.

Dovecot holds the backlog, an aiosmtpd sink takes the replies, and the tests'
OpenAI-compatible model server (TCP_NODELAY, connections kept open) answers
every draft and every emergency question, at once or after a set latency. The
assistant runs as its own process with `LLM_PROVIDER=openai`; its CPU time is
its own (user + system, threads included, from `wait4`), so the servers' share
and PostgreSQL's are left out.

The datastore is the shipped one with 1,000 alternate addresses for each of its
tenants, and every email comes from an address of its own, so no sender reaches
the daily cap of automatic replies and every email goes the whole way: triage,
the emergency question, ticket, reply, pages for emergencies.

    python -m bench.backlog [--backlog N] [--latency S] [--concurrency C ...]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from typing import Any

from bench.results import Result
from bench.terminal import console_env, mail_servers, write_backlog

ROOT = Path(__file__).resolve().parents[1]
_PROFILE_FORMATS = {".json": "speedscope", ".txt": "raw"}  # else an SVG flame graph
ALTERNATES = 1000  # alternate addresses on file per tenant: a portfolio's worth
_FROM = re.compile(rb"^From:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.IGNORECASE | re.MULTILINE)
_LANGUAGE = re.compile(r"Write the reply in (\w+)")
_REPLIES = {  # a plain answer in each language the assistant replies in
    "English": "Hello, thank you for your message. We will take care of it shortly.",
    "Spanish": "Hola, gracias por su mensaje. Nos ocuparemos de ello en breve.",
    "French": "Bonjour, merci pour votre message. Nous nous en occupons rapidement.",
    "German": "Guten Tag, vielen Dank für Ihre Nachricht. Wir kümmern uns umgehend darum.",
    "Portuguese": "Olá, obrigado pela sua mensagem. Vamos tratar disso em breve.",
    "Italian": "Buongiorno, grazie per il suo messaggio. Ce ne occuperemo a breve.",
    "Polish": "Dzień dobry, dziękujemy za wiadomość. Wkrótce się tym zajmiemy.",
}
_INTENTS = (  # what a model would make of each kind of demo email
    ("locked_out", ("locked out", "lost my key", "keys", "fob", "cerrada", "afuera")),
    ("rent", ("rent", "payment", "balance", "late fee", "receipt", "autopay", "loyer")),
    (
        "maintenance",
        (
            "leak",
            "drip",
            "clog",
            "not draining",
            "heat",
            "heizung",
            "mould",
            "mold",
            "mice",
            "outlet",
            "smoke",
            "gas",
            "water",
            "broken",
            "toilet",
            "dishwasher",
            "alarm",
        ),
    ),
)


# --- the mail and the datastore ------------------------------------------------------------


def write_portfolio(mail: Path, data: Path, backlog: int) -> None:
    """The backlog in `mail`, each email from an address of its own, and in `data` the
    shipped datastore with every tenant's addresses (those and `ALTERNATES` more)."""
    write_backlog(ROOT / "data" / "demo", mail, backlog)
    shutil.copytree(ROOT / "data", data, ignore=shutil.ignore_patterns("demo"))
    tenants = json.loads((data / "tenants.json").read_text())
    by_address = {t["email"].lower(): t for t in tenants}
    for tenant in tenants:
        local, _, domain = tenant["email"].partition("@")
        tenant.setdefault("alt_emails", [])
        tenant["alt_emails"] += [f"{local}.alt{n}@{domain}" for n in range(ALTERNATES)]
    for n, path in enumerate(sorted(mail.glob("*.eml"))):
        raw = path.read_bytes()
        found = _FROM.search(raw)
        if found is None:
            continue
        address = parseaddr(found.group(0)[5:].decode("latin-1"))[1]
        local, _, domain = address.partition("@")
        if not domain:
            continue
        own = f"{local}.b{n}@{domain}"
        header = found.group(0).replace(address.encode("latin-1"), own.encode())
        path.write_bytes(raw[: found.start()] + header + raw[found.end() :])
        tenant = by_address.get(address.lower())
        if tenant is not None:
            tenant["alt_emails"].append(own)
    (data / "tenants.json").write_text(json.dumps(tenants, indent=1))


# --- the model -----------------------------------------------------------------------------


def draft_for(request: dict[str, Any]) -> Any:
    """A model's good answer: the intent the email asks about, in the language asked."""
    from tests.support.llm import Reply

    messages = request.get("messages", [])
    prompt = " ".join(str(m.get("content", "")) for m in messages)
    email = str(messages[-1].get("content", "")).lower() if messages else ""
    intent = next(
        (name for name, words in _INTENTS if any(word in email for word in words)), "general"
    )
    language = _LANGUAGE.search(prompt)
    reply = _REPLIES.get(language.group(1) if language else "English", _REPLIES["English"])
    ticket = None
    if intent in ("maintenance", "locked_out"):
        ticket = {"title": "Repair request", "description": "As described.", "priority": "normal"}
    return Reply(
        {
            "intent": intent,
            "confidence": 0.95,
            "emergency": False,
            "summary": f"A {intent} request.",
            "reply": reply + "\n\nBest regards,\nManagement",
            "ticket": ticket,
            "questions": [],
            "danger": None,
            "followup": None,
        }
    )


def serve_model(latency: float) -> None:
    """`python -m bench.backlog model LATENCY`: the model server, in its own process."""
    import signal
    import threading

    from tests.support.llm import LlmServer

    server = LlmServer(keep_alive=True, latency=latency)
    server.default = draft_for
    server.start()
    print(json.dumps({"base_url": server.base_url}), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    stop.wait()
    server.stop()


@contextmanager
def model_server(latency: float) -> Iterator[str]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.backlog", "model", str(latency)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
    )
    try:
        assert process.stdout is not None
        yield str(json.loads(process.stdout.readline())["base_url"])
    finally:
        process.terminate()
        process.wait(10)


# --- the run -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    cpu: float  # the assistant process's user + system seconds
    summary: str  # what `--once` printed
    exit_code: int

    def sent(self) -> int:
        found = re.search(r"\bsent=(\d+)", self.summary)
        return int(found.group(1)) if found else 0


def run_backlog(
    work: Path,
    backlog: int,
    *,
    store_url: str = "",
    latency: float = 0.0,
    concurrency: int = 2,
    profile: Path | None = None,
    model: bool = True,
) -> Run:
    """One `--headless --once` through a fresh backlog on fresh servers: through the
    model (`model`, on the portfolio datastore), or offline on the shipped datastore
    and the demo mail as it is (its senders reach the daily cap)."""
    shutil.rmtree(work, ignore_errors=True)
    mail, data = work / "mail", work / "data"
    if model:
        write_portfolio(mail, data, backlog)
    else:
        write_backlog(ROOT / "data" / "demo", mail, backlog)
        data = ROOT / "data"
    with contextlib.ExitStack() as servers:
        ports = servers.enter_context(mail_servers(mail, work / "sent"))
        env = console_env(ports, data, work / "output")
        env |= {
            "STORE_URL": store_url,
            "CONCURRENCY": str(concurrency),
            "AUTO_SEND": "locked_out,maintenance,rent,general",
            "SEND_DELAY": "0",
        }
        if model:
            env |= {
                "LLM_PROVIDER": "openai",
                "OPENAI_BASE_URL": servers.enter_context(model_server(latency)),
                "OPENAI_MODEL": "bench",
                "OPENAI_TIMEOUT": str(max(30.0, latency * 4)),
            }
        command = [sys.executable, "-m", "console", "--headless", "--once"]
        if profile is not None:
            command = ["py-spy", "record", "--subprocesses", "--threads", "-r", "200",
                       "-f", _PROFILE_FORMATS.get(profile.suffix, "flamegraph"),
                       "-o", str(profile), "--", *command]  # fmt: skip
        started = time.perf_counter()
        with tempfile.TemporaryFile("w+") as out:
            process = subprocess.Popen(
                [*command, "--env-file", os.devnull],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.DEVNULL,
            )
            _, status, usage = os.wait4(process.pid, 0)
            seconds = time.perf_counter() - started
            out.seek(0)
            summary = out.read().strip().splitlines()[-1:] or [""]
    return Run(
        seconds, usage.ru_utime + usage.ru_stime, summary[0], os.waitstatus_to_exitcode(status)
    )


def _failed(run: Run, what: str) -> list[Result]:
    print(f"{what}: exit {run.exit_code}: {run.summary}", file=sys.stderr)
    return [Result(f"{what}: the run finished", 0, "", 1, True)]


def measure_headless_backlog(
    work: Path, backlog: int = 1000, *, store_url: str = "", engine: str = "SQLite"
) -> list[Result]:
    """The offline provider through the demo mail: the cost of an email without a model."""
    run = run_backlog(work, backlog, store_url=store_url, model=False)
    what = f"headless --once, {backlog}-mail backlog, {engine}"
    if run.exit_code != 0:
        return _failed(run, what)
    return [
        Result(what, backlog / run.seconds, "msg/s", 25, True),
        Result(
            "  CPU per email (the assistant's process)", run.cpu / backlog * 1000, "ms", 38, False
        ),
    ]


def measure_model_backlog(
    work: Path, backlog: int = 1000, *, store_url: str = "", engine: str = "SQLite"
) -> list[Result]:
    """The issue's test: a backlog through the OpenAI provider, model at once, C=2."""
    run = run_backlog(work, backlog, store_url=store_url)
    what = f"backlog through the model, {backlog} mails, {engine}"
    if run.exit_code != 0:
        return _failed(run, what)
    print(f"{what}: {run.summary}", file=sys.stderr)
    return [
        Result(what, backlog / run.seconds, "msg/s", 83, True),
        Result(
            "  CPU per email (the assistant's process)", run.cpu / backlog * 1000, "ms", 8, False
        ),
        Result(
            "  replies sent (the rest: strangers, robots, emergencies)",
            run.sent(),
            "mails",
            backlog * 0.5,
            True,
        ),
    ]


def on_postgres(measure: Callable[..., list[Result]], work: Path, backlog: int) -> list[Result]:
    """`measure` with the store on a throwaway PostgreSQL on loopback."""
    from tests.support.postgres import PostgresServer, postgres_unavailable_reason

    why = postgres_unavailable_reason()
    if why is not None:
        print(f"PostgreSQL rows skipped: {why}", file=sys.stderr)
        return []
    server = PostgresServer()
    server.start()
    try:
        return measure(work, backlog, store_url=server.new_database(), engine="PostgreSQL")
    finally:
        server.stop()


def measure_scaling(work: Path, latency: float, count: int, levels: list[int]) -> list[Result]:
    """Throughput against concurrency with a slow model: efficiency = msg/s ÷ (C ÷ latency)."""
    results = []
    for concurrency in levels:
        run = run_backlog(work, count, latency=latency, concurrency=concurrency)
        what = f"model at {latency * 1000:.0f} ms, {count} mails, CONCURRENCY={concurrency}"
        if run.exit_code != 0:
            results += _failed(run, what)
            continue
        rate = count / run.seconds
        results.append(Result(f"{what}: efficiency", rate / (concurrency / latency), "", 0.9, True))
        results.append(Result("  throughput", rate, "msg/s", 0, True))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.backlog")
    parser.add_argument("--backlog", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=0.0, help="model latency, seconds")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[2])
    parser.add_argument("--postgres", action="store_true", help="the store on PostgreSQL")
    parser.add_argument("--profile", type=Path, help="record a py-spy profile here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        if args.profile is not None:
            run = run_backlog(work, args.backlog, latency=args.latency, profile=args.profile)
            print(f"{run.summary}\n{args.backlog / run.seconds:.1f} msg/s (profiled)")
            return
        if args.latency:
            results = measure_scaling(work, args.latency, args.backlog, args.concurrency)
        elif args.postgres:
            results = on_postgres(measure_model_backlog, work, args.backlog)
        else:
            results = measure_model_backlog(work, args.backlog)
    for result in results:
        print(result.line())


if __name__ == "__main__":
    if sys.argv[1:2] == ["model"]:
        serve_model(float(sys.argv[2]))
    else:
        main()
