"""The command line: the composition root for every way of running the assistant.

    python -m console                       the operator console on the configured mailbox
    python -m console --demo [--headless [--once]]   the same, on the built-in demo mailbox
    python -m console --headless            run until SIGINT/SIGTERM
    python -m console --headless --once     handle every matching message, print counts
    python -m console triage FILE.eml       print one proposal as JSON; sends nothing
    python -m console eval DIR [--json]     measure triage on labelled mail
    python -m console export-labels DIR     the operator's reclassifications, as labelled mail
    python -m console login                 sign in to Microsoft 365, Google… (MAIL_AUTH=oauth2)
    python -m console logout                forget the stored sign-in
    python -m console check-model           one structured request to the model server

Every expected failure (a missing setting, a refused login, an unreadable
file) ends with one line on stderr and a non-zero status, never a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import signal
import sys
from collections.abc import Sequence
from email.utils import parseaddr
from logging.handlers import RotatingFileHandler
from pathlib import Path

from console.narration import describe
from core.config import MailAuth, Provider, Settings, load_settings
from core.directory import Directory
from core.errors import AssistantError, ConfigError, SignInRequired, TriageError
from core.evaluation.labelled import Report, evaluate, export_labels, summarise
from core.evaluation.replay import ThreadReport, is_conversation_set, replay
from core.events import Event, InboxStatusChanged
from core.mail.history import NO_THREAD, thread_from
from core.mail.oauth import oauth_app
from core.mail.parsing import parse_message
from core.mail.signin import sign_in, sign_out
from core.mail.tokens import token_store
from core.models import RESTING_STATES, Channel, FollowUp, Intent, Item, Page, PageState, State
from core.providers.model_check import check_model
from core.providers.offline import classify
from core.service.assembly import (
    build_fallback,
    build_model_provider,
    build_provider,
    close_if_closable,
    open_assistant,
)
from core.service.conversations import counts
from core.service.demo import DemoMailServers, demo_settings, fresh_demo_output
from core.service.mailboxes import InboxSettings, inbox_named, require_mail_settings
from core.store import open_store
from core.tickets import UPDATES
from core.triage.classify import triage

log = logging.getLogger("assistant")

EXIT_CONFIG = 2
EXIT_FAILURE = 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m console",
        description="Email assistant for property managers.",
    )
    parser.add_argument("--headless", action="store_true", help="run without the console")
    parser.add_argument(
        "--once", action="store_true", help="with --headless: handle the inbox once and exit"
    )
    parser.add_argument(
        "--demo", action="store_true", help="run on the built-in demo mailbox (no settings needed)"
    )
    parser.add_argument("--env-file", default=".env", help="settings file (default: .env)")
    commands = parser.add_subparsers(dest="command")
    triage_cmd = commands.add_parser("triage", help="print the proposal for one .eml file")
    triage_cmd.add_argument("file", type=Path)
    triage_cmd.add_argument(
        "--thread",
        nargs="+",
        type=Path,
        default=[],
        help="earlier messages of the conversation (.eml files or folders of them)",
    )
    eval_cmd = commands.add_parser("eval", help="measure triage on a labelled folder of .eml")
    eval_cmd.add_argument("folder", type=Path)
    eval_cmd.add_argument("--json", action="store_true", help="print the report as JSON")
    export_cmd = commands.add_parser(
        "export-labels", help="write the operator's reclassifications as a labelled folder"
    )
    export_cmd.add_argument("folder", type=Path)
    login = commands.add_parser("login", help="sign in to the mail provider (MAIL_AUTH=oauth2)")
    logout = commands.add_parser("logout", help="forget the stored sign-in")
    for command in (login, logout):
        command.add_argument(
            "--inbox", default="", help="the inbox of the mailboxes file (MAILBOXES) to sign in"
        )
    commands.add_parser(
        "check-model", help="send one structured request to the model server and say how it went"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )
    for noisy in ("aioimaplib", "aiosmtplib", "httpx", "httpx2", "openai", "mail.log", "pymap"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    try:
        settings = load_settings(args.env_file)
        if args.command == "triage":
            earlier = [read_file(p) for p in eml_files(args.thread)]
            return asyncio.run(triage_file(settings, read_file(args.file), earlier))
        if args.command == "eval":
            return asyncio.run(evaluate_folder(settings, args.folder, as_json=args.json))
        if args.command == "export-labels":
            return asyncio.run(export_folder(settings, args.folder))
        if args.command == "login":
            return asyncio.run(log_in(inbox_named(settings, args.inbox)))
        if args.command == "logout":
            return asyncio.run(log_out(inbox_named(settings, args.inbox)))
        if args.command == "check-model":
            return asyncio.run(check_model_server(settings))
        if not args.demo and not args.headless and settings.missing_mail_settings():
            from console.screens.welcome import WelcomeApp  # the UI loads only when it is used

            if WelcomeApp(settings.missing_mail_settings()).run() != "demo":
                return 0
            args.demo = True
        if args.demo:
            output = settings.output_dir / "demo"
            fresh_demo_output(output)
            return asyncio.run(run_demo(settings, output, headless=args.headless, once=args.once))
        if args.headless:
            return asyncio.run(run_headless(settings, once=args.once))
        return asyncio.run(run_console(settings))
    except ConfigError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except AssistantError as exc:
        print(f"error ({exc.stage}): {exc}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        return 130


def eml_files(paths: list[Path]) -> list[Path]:
    """The .eml files named, folders expanded (sorted)."""
    found: list[Path] = []
    for path in paths:
        found += sorted(path.glob("*.eml")) if path.is_dir() else [path]
    return found


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None


async def triage_file(settings: Settings, raw: bytes, earlier: list[bytes] | None = None) -> int:
    directory = await asyncio.to_thread(Directory.load, settings.data_dir)
    provider = build_provider(settings, directory)
    fallback = build_fallback(provider, directory)
    own = frozenset(a.lower() for a in (parseaddr(settings.mail_from)[1], settings.imap_user) if a)
    history = [parse_message(r) for r in earlier or []]
    tenant = next((e for e in history if e.sender_addr not in own), None)
    intent = classify(tenant.subject, tenant.text).intent if tenant else None
    try:
        proposal = await triage(
            parse_message(raw),
            directory,
            provider,
            own_addresses=own,
            max_retries=settings.max_retries,
            fallback=fallback,
            thread=thread_from(history, own, intent) if history else NO_THREAD,
        )
    finally:
        await close_if_closable(provider)
    if proposal.model_error:
        used = "the offline fallback wrote the draft" if fallback else "no draft"
        print(f"the model failed: {proposal.model_error} ({used})", file=sys.stderr)
    print(json.dumps(triage_json(proposal.model_dump(mode="json")), ensure_ascii=False, indent=2))
    return 0


async def check_model_server(settings: Settings) -> int:
    """One small structured request: what works, or exactly why it fails (one line)."""
    if settings.provider is Provider.OFFLINE:
        raise ConfigError(
            "no model to check: LLM_PROVIDER is offline "
            "(set OPENAI_API_KEY, or OPENAI_BASE_URL with LLM_PROVIDER=openai)"
        )
    provider = build_model_provider(settings)
    try:
        report = await check_model(provider)
    except TriageError as exc:
        print(f"check-model: {provider.server} ({provider.model}): {exc}", file=sys.stderr)
        return EXIT_FAILURE
    finally:
        await provider.aclose()
    print(report.to_text())
    return 0


async def evaluate_folder(settings: Settings, folder: Path, *, as_json: bool) -> int:
    directory = await asyncio.to_thread(Directory.load, settings.data_dir)
    provider = build_provider(settings, directory)
    try:
        if await asyncio.to_thread(is_conversation_set, folder):
            report: Report | ThreadReport = await replay(folder, directory, provider)
        else:
            outcomes = await evaluate(folder, directory, provider, max_retries=settings.max_retries)
            report = summarise(outcomes)
    finally:
        await close_if_closable(provider)
    print(report.to_json() if as_json else report.to_text())
    return 0


async def export_folder(settings: Settings, folder: Path) -> int:
    store = await open_store(settings.store_location)
    try:
        count = await export_labels(store, folder)
    finally:
        await store.close()
    print(f"{count} labelled messages written to {folder} (python -m console eval {folder})")
    return 0


async def log_in(inbox: InboxSettings) -> int:
    """Sign a person in with the provider's flow; the token goes to a private file."""
    settings = inbox.settings
    if settings.mail_auth is not MailAuth.OAUTH2:
        raise ConfigError("login signs in by OAuth 2.0: set MAIL_AUTH=oauth2 (see .env.example)")
    app = oauth_app(settings)
    where = await sign_in(
        app, token_store(inbox.sign_in_dir), say=lambda line: print(line, flush=True)
    )
    print(f"signed in to {app.label}; the sign-in is kept in {where}, readable only by you")
    return 0


async def log_out(inbox: InboxSettings) -> int:
    where = token_store(inbox.sign_in_dir)
    if await sign_out(where):
        print(f"signed out: {where.location} removed")
    else:
        print("not signed in: nothing to remove")
    return 0


def triage_json(proposal: dict[str, object]) -> dict[str, object]:
    keys = (
        "intent",
        "confidence",
        "emergency",
        "followup",
        "ticket_effect",
        "action",
        "reason",
        "to",
        "cc",
        "subject",
    )
    result = {key: proposal[key] for key in keys}
    result["body"] = proposal["body"]
    result["ticket"] = proposal["ticket"]
    result["provider"] = proposal["provider"]
    return result


async def run_demo(settings: Settings, output: Path, *, headless: bool, once: bool) -> int:
    """The main job on loopback servers holding the demo mailbox."""
    if (
        not settings.auto_send
    ):  # show replies going out: all unattended, routine ones in the console
        routine = list(Intent) if headless else [Intent.MAINTENANCE, Intent.RENT]
        settings = settings.model_copy(update={"auto_send": routine})
    async with DemoMailServers(settings.data_dir / "demo", output / "sent") as endpoints:
        demo = demo_settings(settings, endpoints, output)
        if not headless:
            return await run_console(demo)
        log.info("demo: %d messages in a loopback IMAP mailbox", endpoints.messages)
        code = await run_headless(demo, once=once)
    if once:
        print(f"replies sent (as .eml): {output / 'sent'}")
        print(f"tickets: {output / 'tickets'}")
    return code


async def run_headless(settings: Settings, *, once: bool) -> int:
    require_mail_settings(settings)
    async with open_assistant(settings) as assistant:
        assistant.bus.add_callback(narrate)
        if once:
            counts = await assistant.run_once()
            line = summary_line(counts, assistant.discovered)
            pages = page_counts(await assistant.store.pages())
            conversations = conversation_counts(await assistant.store.items())
            print(f"{line} | {conversations}" + (f" | {pages}" if pages else ""))
            return 0
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        signed_out: list[str] = []

        def stop_when_signed_out(event: Event) -> None:
            # Unattended, nobody can sign in: say so and exit rather than wait.
            if isinstance(event, InboxStatusChanged) and event.status == "signed out":
                signed_out.append(event.detail)
                stop.set()

        assistant.bus.add_callback(stop_when_signed_out)
        await assistant.run(stop)
        if signed_out:
            raise SignInRequired(signed_out[0])
        return 0


async def run_console(settings: Settings) -> int:
    """The operator console; the log goes to a file so it cannot scribble on the screen."""
    from console.app import OperatorConsole  # the UI loads only when it is used

    require_mail_settings(settings)
    log_to_file(settings.output_dir / "assistant.log")
    # Threads (parsing, the store) hand the interpreter back to the screen within a
    # millisecond rather than five: keys are drawn promptly while mail is handled.
    sys.setswitchinterval(0.001)
    await OperatorConsole(settings).run_async()
    return 0


def log_to_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = RotatingFileHandler(path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)


def narrate(event: Event) -> None:
    line = describe(event)
    if line is not None:
        log.info("%s", line)


def page_counts(pages: list[Page]) -> str:
    """How many emergency pages and holding replies went out ("" when none)."""
    if not pages:
        return ""
    sent = [p for p in pages if p.state is PageState.SENT]
    paged = sum(1 for p in sent if p.channel is Channel.EMAIL)
    held = sum(1 for p in sent if p.channel is Channel.TENANT)
    failed = sum(1 for p in pages if p.state is PageState.FAILED)
    return f"pages={paged} holding replies={held}" + (f" pages failed={failed}" if failed else "")


def conversation_counts(items: list[Item]) -> str:
    """How many messages answered an earlier one, and how many changed a ticket."""
    followups = sum(1 for i in items if i.proposal and i.proposal.followup is not FollowUp.FIRST)
    updated = sum(
        1 for i in items if i.proposal and i.proposal.ticket_effect in UPDATES and counts(i)
    )
    return f"follow-ups={followups} tickets updated={updated}"


def summary_line(counts: dict[State, int], new: int) -> str:
    """Counts per state over every message the store holds, and how many this run added."""
    resting = [
        State.SENT,
        State.SKIPPED,
        State.AWAITING_REVIEW,
        State.ANSWERED_ELSEWHERE,
        State.FAILED,
        State.DISMISSED,
    ]
    parts = [f"{state.value}={counts.get(state, 0)}" for state in resting]
    waiting = (State.IN_DOUBT, State.RETRYING)  # a person decides; sent by a later run
    parts += [f"{state.value}={counts[state]}" for state in waiting if counts.get(state)]
    pending = sum(
        n for state, n in counts.items() if state not in RESTING_STATES and state not in waiting
    )
    if pending:
        parts.append(f"pending={pending}")
    return f"{sum(counts.values())} messages ({new} new): " + " ".join(parts)
