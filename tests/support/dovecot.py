"""A throwaway Dovecot IMAP server on 127.0.0.1 for integration tests.

:class:`DovecotServer` runs ``dovecot -F -c CONF`` from a private folder under
``/tmp`` with two listeners: plain IMAP (STARTTLS offered, not required,
plaintext LOGIN allowed) and implicit-TLS IMAPS, both presenting the session
certificate from :mod:`tests.support.tls`.  Storage is maildir, the hierarchy
separator is ``/``, and every mailbox starts with the subscribed special-use
folders Drafts, Sent, Trash, Junk and Archive, like a typical provider's.
IDLE pushes new mail about 500 ms after it arrives (a fixed Dovecot delay).

Users: :meth:`DovecotServer.add_user` writes a one-line passwd-file per user
(``users/%u``, plain password), which Dovecot reads on the first login.  One
shared file does not work for users created at runtime: Dovecot stats a
passwd-file at most once per second, so a freshly appended line can stay
invisible for up to a second.

OAuth 2.0: with ``introspection_url`` Dovecot also offers the token
``mechanisms`` (``xoauth2 oauthbearer`` by default) through an ``oauth2``
passdb that asks that URL (RFC 7662, POST) whether a token is active and
whose it is; the user in the client's SASL message must be that owner.

Failed logins: the anvil auth penalty (which delays every later login from
the same IP, i.e. all tests, by seconds) is disabled; a failed login still
takes about 0.5 s, Dovecot's fixed failure-flush interval.

The seeding and inspection helpers (``deliver``, ``uids``, ``flags``,
``fetch``, ``create_mailbox``) are synchronous and use stdlib :mod:`imaplib`
on the plain port; async tests can call them via :func:`asyncio.to_thread`.
Mailbox names must be ASCII (no modified UTF-7 encoding is done).

Running as root (see /work/shared/notes/test-servers.md): login processes run
as ``dovenull``, internal ones as ``dovecot``, mail access as ``nobody``; the
folder is made with ``mkdtemp(dir="/tmp")`` and opened to mode 755 so those
users can traverse it.  :meth:`DovecotServer.stop` SIGKILLs the whole process
group (a graceful stop takes seconds with clients connected) and deletes the
folder.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from tests.support.tls import LocalhostCertificate

HOST = "127.0.0.1"
_START_ATTEMPTS = 3
_START_TIMEOUT = 10.0
_IMAP_TIMEOUT = 10.0
_DOVEADM_NO_USERS_KICKED = 68  # EX_NOUSER
_APPENDUID = re.compile(rb"\[APPENDUID \d+ (\d+)\]")

_CONFIG = """\
protocols = imap
listen = {host}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
default_login_user = dovenull
default_internal_user = dovecot
mail_uid = nobody
mail_gid = nogroup
mail_location = maildir:~/Maildir
auth_mechanisms = plain login {oauth_mechanisms}
auth_failure_delay = 0
disable_plaintext_auth = no
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{oauth_passdb}passdb {{
  driver = passwd-file
  args = scheme=PLAIN {root}/users/%u
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
  mailbox Junk {{
    special_use = \\Junk
    auto = subscribe
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = subscribe
  }}
}}
protocol imap {{
  mail_max_userip_connections = 1000
}}
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    address = {host}
    port = {port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {ssl_port}
    ssl = yes
  }}
}}
"""

# Checked first for the token mechanisms only: password logins keep working.
_OAUTH_PASSDB = """\
passdb {{
  driver = oauth2
  mechanisms = {mechanisms}
  args = {root}/oauth2.conf
}}
"""

_OAUTH_ARGS = """\
introspection_mode = post
introspection_url = {url}
username_attribute = username
active_attribute = active
active_value = true
"""


@dataclass(frozen=True)
class ImapAccount:
    """Connection details of one mailbox user on the test server."""

    host: str
    port: int
    ssl_port: int
    user: str
    password: str


def dovecot_unavailable_reason() -> str | None:
    """Why a test Dovecot cannot run here, or None if it can."""
    if _find_binary("dovecot") is None:
        return "the dovecot binary is not installed (apt-get install dovecot-imapd)"
    if os.geteuid() != 0:
        return "the test Dovecot is configured to run as root"
    return None


# Logs every finished IMAP command (see `DovecotServer.commands_logged`).
COMMAND_LOG = """
log_debug = event=imap_command_finished
debug_log_path = {root}/commands.log
"""


class DovecotServer:
    """A Dovecot instance owned by the test session; see the module docstring."""

    def __init__(
        self,
        cert: LocalhostCertificate,
        *,
        introspection_url: str = "",
        mechanisms: str = "xoauth2 oauthbearer",
        extra_config: str = "",
    ) -> None:
        """`extra_config` is appended to the configuration (e.g. a shorter keepalive)."""
        self.host = HOST
        self._extra_config = extra_config
        self._introspection_url = introspection_url
        self._mechanisms = mechanisms if introspection_url else ""
        self.port = 0
        self.ssl_port = 0
        self._cert = cert
        self._root = Path(tempfile.mkdtemp(prefix="test-dovecot-", dir="/tmp"))
        self._config = self._root / "dovecot.conf"
        self._users = self._root / "users"
        self._process: subprocess.Popen[bytes] | None = None
        self._user_numbers = itertools.count(1)
        self._users_lock = threading.Lock()

    # -- lifecycle ---------------------------------------------------------

    def start(self) -> None:
        """Start Dovecot; retry with new ports if a port was taken meanwhile."""
        self._prepare_folder()
        for attempt in range(1, _START_ATTEMPTS + 1):
            self.port, self.ssl_port = _free_port(), _free_port()
            self._write_config()
            self._process = self._spawn()
            try:
                self._wait_until_ready()
                return
            except RuntimeError:
                self._kill()
                if attempt == _START_ATTEMPTS:
                    raise

    def stop(self) -> None:
        """Kill every Dovecot process at once and delete the folder."""
        self._kill()
        shutil.rmtree(self._root, ignore_errors=True)

    def kill(self) -> None:
        """Kill Dovecot as a crash would (SIGKILL); its mail stays for `revive`."""
        self._kill()

    def revive(self) -> None:
        """Start a killed Dovecot again on the same ports, with the same mail."""
        self._process = self._spawn()
        self._wait_until_ready()

    # -- users -------------------------------------------------------------

    def add_user(self) -> ImapAccount:
        """Create a user with a unique name, a random password and no mail."""
        password = secrets.token_hex(8)
        with self._users_lock:
            user = f"user{next(self._user_numbers)}@example.test"
        (self._users / user).write_text(f"{user}:{password}\n")
        return ImapAccount(self.host, self.port, self.ssl_port, user, password)

    def kick(self, account: ImapAccount) -> bool:
        """Drop every live IMAP connection of ``account`` (``doveadm kick``).

        Returns False if the user had no connection to drop.
        """
        result = subprocess.run(
            [_binary("doveadm"), "-c", str(self._config), "kick", account.user],
            capture_output=True,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if result.returncode == _DOVEADM_NO_USERS_KICKED:
            return False
        result.check_returncode()
        return True

    # -- seeding and inspection --------------------------------------------

    def deliver(
        self,
        account: ImapAccount,
        raw: bytes,
        *,
        mailbox: str = "INBOX",
        seen: bool = False,
        date: datetime | None = None,
    ) -> int:
        """APPEND ``raw`` to ``mailbox`` and return its UID.

        ``date`` (timezone-aware) becomes the internal date that SEARCH SINCE
        uses; by default the server's current time.
        """
        flags = r"(\Seen)" if seen else None
        with _login(account) as imap:
            data = _ok(imap.append(_quote(mailbox), flags, date, raw))
        match = _APPENDUID.search(data[-1])
        if match is None:
            raise RuntimeError(f"no APPENDUID in {data!r}")
        return int(match.group(1))

    def add_flags(self, account: ImapAccount, uid: int, flags: str, mailbox: str = "INBOX") -> None:
        """STORE +FLAGS on message ``uid``, as another mail client would (e.g. ``\\Answered``)."""
        with _login(account) as imap:
            _ok(imap.select(_quote(mailbox)))
            _ok(imap.uid("STORE", str(uid), "+FLAGS", f"({flags})"))

    def uids(self, account: ImapAccount, mailbox: str = "INBOX") -> list[int]:
        """UIDs of every message in ``mailbox``, ascending."""
        with _examine(account, mailbox) as imap:
            data = _ok(imap.uid("SEARCH", "ALL"))
        return [int(uid) for uid in data[0].split()]

    def flags(self, account: ImapAccount, uid: int, mailbox: str = "INBOX") -> set[str]:
        """Stored flags and keywords of message ``uid``, e.g. ``{"\\\\Seen"}``.

        The per-session ``\\Recent`` flag is left out.
        """
        with _examine(account, mailbox) as imap:
            data = _ok(imap.uid("FETCH", str(uid), "(FLAGS)"))
        if data[0] is None:
            raise LookupError(f"no message with UID {uid} in {mailbox}")
        return {flag.decode() for flag in imaplib.ParseFlags(data[0])} - {"\\Recent"}

    def fetch(self, account: ImapAccount, uid: int, mailbox: str = "INBOX") -> bytes:
        """The full raw message ``uid`` (BODY.PEEK[]: flags stay unchanged)."""
        with _examine(account, mailbox) as imap:
            data = _ok(imap.uid("FETCH", str(uid), "(BODY.PEEK[])"))
        if not isinstance(data[0], tuple):
            raise LookupError(f"no message with UID {uid} in {mailbox}")
        return bytes(data[0][1])

    def commands_logged(self) -> list[str]:
        """Every IMAP command finished so far, as Dovecot logged it: needs `extra_config`
        with `COMMAND_LOG` (one line per command, "Command finished: UID SEARCH …")."""
        path = self._root / "commands.log"
        if not path.exists():
            return []
        return [line for line in path.read_text().splitlines() if "Command finished" in line]

    def create_mailbox(self, account: ImapAccount, name: str) -> None:
        """Create (and subscribe) the folder ``name``; ASCII names only."""
        with _login(account) as imap:
            _ok(imap.create(_quote(name)))
            _ok(imap.subscribe(_quote(name)))

    # -- internals ---------------------------------------------------------

    def _prepare_folder(self) -> None:
        self._root.chmod(0o755)
        mail = self._root / "mail"
        mail.mkdir()
        shutil.chown(mail, "nobody", "nogroup")
        self._users.mkdir()

    def _write_config(self) -> None:
        oauth_passdb = ""
        if self._introspection_url:
            (self._root / "oauth2.conf").write_text(_OAUTH_ARGS.format(url=self._introspection_url))
            oauth_passdb = _OAUTH_PASSDB.format(mechanisms=self._mechanisms, root=self._root)
        self._config.write_text(
            _CONFIG.format(
                oauth_mechanisms=self._mechanisms,
                oauth_passdb=oauth_passdb,
                host=self.host,
                root=self._root,
                cert=self._cert.cert_path,
                key=self._cert.key_path,
                port=self.port,
                ssl_port=self.ssl_port,
            )
            + self._extra_config.replace("{root}", str(self._root))
        )

    def _spawn(self) -> subprocess.Popen[bytes]:
        # A file, not a pipe, for output: Dovecot's children inherit it and a
        # pipe would never reach EOF.  It holds errors printed before logging
        # is set up (e.g. configuration errors).
        with (self._root / "stderr.log").open("ab") as output:
            return subprocess.Popen(
                [_binary("dovecot"), "-F", "-c", str(self._config)],
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=output,
                start_new_session=True,
            )

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + _START_TIMEOUT
        pending = {self.port, self.ssl_port}
        while pending:
            if self._process is None or self._process.poll() is not None:
                raise RuntimeError(f"dovecot exited during start:\n{self._logs()}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"dovecot did not start listening:\n{self._logs()}")
            pending = {port for port in pending if not _accepts(self.host, port)}
            time.sleep(0.02)

    def _kill(self) -> None:
        if self._process is None:
            return
        with suppress(ProcessLookupError):
            os.killpg(self._process.pid, signal.SIGKILL)
        self._process.wait()
        self._process = None
        (self._root / "run" / "master.pid").unlink(missing_ok=True)

    def _logs(self) -> str:
        parts = [
            path.read_text(errors="replace")
            for path in (self._root / "stderr.log", self._root / "dovecot.log")
            if path.exists()
        ]
        return "\n".join(parts)[-4000:]


# -- module helpers ----------------------------------------------------------


def _find_binary(name: str) -> str | None:
    search_path = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/bin"])
    return shutil.which(name, path=search_path)


def _binary(name: str) -> str:
    path = _find_binary(name)
    if path is None:
        raise FileNotFoundError(name)
    return path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def _quote(mailbox: str) -> str:
    escaped = mailbox.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _ok(response: tuple[str, list[Any]]) -> list[Any]:
    status, data = response
    if status != "OK":
        raise imaplib.IMAP4.error(f"{status}: {data!r}")
    return data


@contextmanager
def _login(account: ImapAccount) -> Iterator[imaplib.IMAP4]:
    with imaplib.IMAP4(account.host, account.port, timeout=_IMAP_TIMEOUT) as imap:
        imap.login(account.user, account.password)
        yield imap


@contextmanager
def _examine(account: ImapAccount, mailbox: str) -> Iterator[imaplib.IMAP4]:
    with _login(account) as imap:
        _ok(imap.select(_quote(mailbox), readonly=True))
        yield imap
