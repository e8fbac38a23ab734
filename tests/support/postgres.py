"""A throwaway PostgreSQL server for the test session, on 127.0.0.1 and a free port.

Debian's `postgresql` package (`initdb` and `pg_ctl` under
/usr/lib/postgresql/<version>/bin); as root they run as the `postgres` user on
a folder it owns. Each test gets a database of its own (`new_database`).
"""

from __future__ import annotations

import contextlib
import getpass
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

HOST = "127.0.0.1"


def postgres_bin() -> Path | None:
    """The folder with initdb and pg_ctl, the newest version installed."""
    root = Path("/usr/lib/postgresql")
    versions = sorted(root.glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]), reverse=True)
    return versions[0].parent if versions else None


def postgres_unavailable_reason() -> str | None:
    if postgres_bin() is None:
        return "PostgreSQL is not installed (apt-get install postgresql)"
    return None


class PostgresServer:
    def __init__(self) -> None:
        binaries = postgres_bin()
        assert binaries is not None
        self._bin = binaries
        self._root = Path(tempfile.mkdtemp(prefix="test-postgres-", dir="/tmp"))
        self._data = self._root / "data"
        self.port = 0
        self._numbers = itertools.count(1)
        self._as_root = os.geteuid() == 0
        self._user = "postgres" if self._as_root else getpass.getuser()

    def start(self) -> None:
        self._root.chmod(0o755)
        if self._as_root:
            shutil.chown(self._root, "postgres", "postgres")
        self._run("initdb", "-D", str(self._data), "-U", "postgres", "-A", "trust", "--no-sync")
        self.port = _free_port()
        options = (
            f"-c listen_addresses={HOST} -c port={self.port} "
            f"-c unix_socket_directories={self._root} -c fsync=on -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self._data),
            "-l",
            str(self._root / "pg.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "stop")
        shutil.rmtree(self._root, ignore_errors=True)

    def kill(self) -> None:
        """Stop as a crash would (immediate): committed work survives a `start_again`."""
        self._run("pg_ctl", "-D", str(self._data), "-m", "immediate", "stop")

    def start_again(self) -> None:
        options = (
            f"-c listen_addresses={HOST} -c port={self.port} "
            f"-c unix_socket_directories={self._root} -c max_connections=200"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self._data),
            "-l",
            str(self._root / "pg.log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh, empty database; its URL."""
        name = f"test_{next(self._numbers)}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self._bin / tool), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(
            command,
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self._root,
            timeout=60,
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port
