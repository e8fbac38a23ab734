"""The built-in demo: a real IMAP and SMTP server on loopback, inside this process.

`DemoMailServers` starts pymap's in-memory IMAP backend holding the demo
mailbox (`data/demo/*.eml`, dated over the last hours so they count as new)
and an aiosmtpd server that writes every message it receives to
`OUTPUT_DIR/sent/` as an `.eml` file. The normal pipeline then runs against
them unchanged. Both listen on 127.0.0.1 only, on ports the kernel picks;
nothing leaves the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import aioimaplib
from aiosmtpd.smtp import SMTP, Envelope, Session
from proxyprotocol.reader import ProxyProtocolReader
from pymap.backend.dict import DictBackend
from pymap.imap import IMAPServer

from core.config import Settings, load_settings
from core.errors import ConfigError
from core.tickets import write_atomically

HOST = "127.0.0.1"
DEMO_USER = "office@example.com"
DEMO_FROM = "Harbor & Elm Property Management <office@example.com>"
_DATE_HEADER = re.compile(rb"^Date:[^\r\n]*(\r?\n[ \t][^\r\n]*)*", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class DemoEndpoints:
    imap_port: int
    smtp_port: int
    password: str
    messages: int


class DemoMailServers:
    """Start with `async with DemoMailServers(mail_dir, sent_dir) as endpoints:`."""

    def __init__(self, mail_dir: Path, sent_dir: Path, *, now: datetime | None = None) -> None:
        self.mail_dir = mail_dir
        self.sent_dir = sent_dir
        self.now = now or datetime.now(timezone.utc)
        self._servers: list[asyncio.Server] = []

    async def __aenter__(self) -> DemoEndpoints:
        files = sorted(self.mail_dir.glob("*.eml"))
        if not files:
            raise ConfigError(f"no demo messages (*.eml) in {self.mail_dir}")
        password = secrets.token_urlsafe(16)
        imap = await self._start_imap(password)
        smtp = await self._start_smtp()
        self._servers = [imap, smtp]
        imap_port = imap.sockets[0].getsockname()[1]
        await self._fill_mailbox(imap_port, password, files)
        return DemoEndpoints(imap_port, smtp.sockets[0].getsockname()[1], password, len(files))

    async def __aexit__(self, *exc: object) -> None:
        for server in self._servers:
            server.close()
        for server in self._servers:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)

    async def _start_imap(self, password: str) -> asyncio.Server:
        args = argparse.Namespace(
            debug=False,
            host=HOST,
            port=0,
            cert=None,
            key=None,
            tls=False,
            passlib_cfg=None,
            proxy_protocol=None,
            inherited_sockets=None,
            demo_data=False,
            demo_user=DEMO_USER,
            demo_password=password,
        )
        backend, config = await DictBackend.init(args, reject_dnsbl=False, invalid_user_sleep=0.0)
        config.apply_context()
        handler = ProxyProtocolReader(config.proxy_protocol).get_callback(
            IMAPServer(backend.login, config)
        )
        return await asyncio.start_server(handler, HOST, 0)

    async def _start_smtp(self) -> asyncio.Server:
        self.sent_dir.mkdir(parents=True, exist_ok=True)
        handler = _SaveToFolder(self.sent_dir)
        loop = asyncio.get_running_loop()
        return await loop.create_server(
            lambda: SMTP(handler, hostname="demo.localhost", ident="demo SMTP"), HOST, 0
        )

    async def _fill_mailbox(self, port: int, password: str, files: list[Path]) -> None:
        """APPEND the demo messages, oldest first, spread over the last hours, all unread."""
        client = aioimaplib.IMAP4(HOST, port, timeout=10)
        await client.wait_hello_from_server()
        await client.login(DEMO_USER, password)
        for position, path in enumerate(files):
            arrived = self.now - timedelta(minutes=12 * (len(files) - position))
            raw = await asyncio.to_thread(path.read_bytes)
            response = await client.append(redate(raw, arrived), mailbox="INBOX", date=arrived)
            if response.result != "OK":
                raise ConfigError(f"the demo mailbox refused {path.name}: {response.lines[-1]!r}")
        await client.logout()


def redate(raw: bytes, when: datetime) -> bytes:
    """Give a message a fresh Date header, so the demo inbox looks like today's mail."""
    header = b"Date: " + format_datetime(when).encode("ascii")
    end = re.search(rb"\r?\n\r?\n", raw)
    head, body = (raw[: end.start()], raw[end.start() :]) if end else (raw, b"")
    replaced, count = _DATE_HEADER.subn(header, head, count=1)
    return replaced + body if count else header + b"\r\n" + raw


class _SaveToFolder:
    """aiosmtpd handler: every accepted message becomes one .eml file."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.count = 0

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.count += 1
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{self.count:03d}.eml"
        data = envelope.original_content or b""
        await asyncio.to_thread(write_atomically, path, data)
        return "250 OK saved"


def demo_settings(settings: Settings, endpoints: DemoEndpoints, output: Path) -> Settings:
    """The user's settings, pointed at the demo servers and a demo output folder."""
    changes: dict[str, Any] = dict(
        imap_host=HOST,
        imap_port=endpoints.imap_port,
        imap_user=DEMO_USER,
        imap_password=endpoints.password,
        imap_security="none",
        imap_mailbox="INBOX",
        imap_sent_mailbox="",
        smtp_host=HOST,
        smtp_port=endpoints.smtp_port,
        smtp_user="",
        smtp_password="",
        smtp_security="none",
        mail_from=DEMO_FROM,
        mail_auth="password",  # the demo servers know its password, not your sign-in
        output_dir=output,
        unread_days_back=1,
    )
    return load_settings(None, **{**settings.model_dump(), **changes})


def fresh_demo_output(output: Path) -> None:
    """Each demo starts from an empty store: the in-memory mailbox is new every time."""
    if output.exists():
        shutil.rmtree(output)
    output.mkdir(parents=True)
