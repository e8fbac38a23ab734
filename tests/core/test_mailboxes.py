"""Several inboxes from one mailboxes file: each watched, answered from its own address,
with its own datastore; a mistake in the file is said plainly.

Run on the embedded store by default and on PostgreSQL with `--store postgres`.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from email.utils import parseaddr
from pathlib import Path

import pytest

from core.config import load_settings
from core.errors import ConfigError
from core.models import State
from core.service.mailboxes import inboxes
from tests.core.test_resilience import environment, stored_items
from tests.support.assistant import DATA_DIR
from tests.support.cli import cli
from tests.support.dovecot import DovecotServer
from tests.support.mail import make_email
from tests.support.smtp import SmtpServer
from tests.support.stores import store_location

MARIA = "maria.gonzalez@example.com"


def datastore(folder: Path, keep: set[str]) -> Path:
    """A copy of the datastore with only these tenants on file."""
    shutil.copytree(DATA_DIR, folder, ignore=shutil.ignore_patterns("demo"))
    tenants = json.loads((folder / "tenants.json").read_text())
    kept = [t for t in tenants if t["email"] in keep]
    (folder / "tenants.json").write_text(json.dumps(kept))
    return folder


def test_three_inboxes_are_each_answered_from_their_own_address_with_their_own_datastore(
    dovecot: DovecotServer, smtp_server: SmtpServer, tmp_path: Path
) -> None:
    accounts = {name: dovecot.add_user() for name in ("maintenance", "office", "leasing")}
    tenants = [t for t in json.loads((DATA_DIR / "tenants.json").read_text())]
    ours = {"maintenance": tenants[0], "office": tenants[1], "leasing": tenants[2]}
    mailboxes = {
        "inboxes": [
            {
                "name": name,
                "IMAP_USER": account.user,
                "IMAP_PASSWORD": "${PASSWORD_" + name.upper() + "}",
                "MAIL_FROM": f"Harbor & Elm {name.title()} <{name}@harbor-elm.example>",
                "DATA_DIR": str(datastore(tmp_path / f"data-{name}", {ours[name]["email"]})),
            }
            for name, account in accounts.items()
        ]
    }
    (tmp_path / "mailboxes.json").write_text(json.dumps(mailboxes))
    for name, account in accounts.items():
        tenant = ours[name]
        dovecot.deliver(
            account,
            make_email(tenant["email"], f"Dripping tap ({name})", "The kitchen tap drips."),
        )
    # A tenant of the office writes to maintenance, whose datastore does not know them.
    stranger = ours["office"]["email"]
    dovecot.deliver(
        accounts["maintenance"], make_email(stranger, "My balance", "What is my balance?")
    )
    output = tmp_path / "output"
    env = environment(
        next(iter(accounts.values())),
        smtp_server,
        output,
        MAILBOXES=str(tmp_path / "mailboxes.json"),
        AUTO_SEND="maintenance,rent,general",
        AUTO_SEND_MIN_CONFIDENCE="0",
        **{f"PASSWORD_{name.upper()}": account.password for name, account in accounts.items()},
    )

    done = cli(["--headless", "--once"], env, tmp_path)

    assert done.returncode == 0, done.stderr
    replies = {m.rcpt_tos[0]: m.message for m in smtp_server.wait_for(3, timeout=30)}
    for name, tenant in ours.items():
        reply = replies[tenant["email"]]
        assert parseaddr(reply["From"])[1] == f"{name}@harbor-elm.example"
        assert tenant["name"].split()[0] in reply.get_content()
    # Maintenance does not know the office's tenant: its draft says so, and waits.
    items = asyncio.run(stored_items(store_location(output)))
    assert sorted(i.key.inbox for i in items) == ["leasing", "maintenance", "maintenance", "office"]
    (unknown,) = [i for i in items if i.key.inbox == "maintenance" and i.sender_addr == stranger]
    assert unknown.state is State.AWAITING_REVIEW and unknown.proposal is not None
    assert "could not match your email address" in unknown.proposal.body
    assert ours["office"]["name"].split()[0] not in unknown.proposal.body
    assert len(smtp_server.messages) == 3
    answered = [i for i in items if i is not unknown]
    assert all(i.state is State.SENT for i in answered)
    for name, account in accounts.items():  # each mailbox's answered message is flagged
        first = dovecot.uids(account)[0]
        assert "\\Answered" in dovecot.flags(account, first), name


@pytest.mark.parametrize(
    ("entry", "said"),
    [
        ({"name": "Office!"}, '"name" must be lower-case letters'),
        ({"name": "office", "IMAP_PORTT": "993"}, "unknown setting IMAP_PORTT"),
        ({"name": "office", "STORE_URL": "postgresql://x"}, "STORE_URL is the team's"),
        ({"name": "office", "IMAP_PASSWORD": "${NOT_SET_ANYWHERE}"}, "no NOT_SET_ANYWHERE"),
        ({"name": "office", "CONCURRENCY": "0"}, "(office)"),
    ],
)
def test_a_mistake_in_the_mailboxes_file_names_the_inbox_and_the_setting(
    tmp_path: Path, entry: dict[str, str], said: str
) -> None:
    path = tmp_path / "mailboxes.json"
    path.write_text(json.dumps({"inboxes": [entry]}))
    with pytest.raises(ConfigError) as error:
        inboxes(load_settings(None, mailboxes=path))
    assert said in str(error.value)
    assert "MAILBOXES" in str(error.value)


def test_two_inboxes_of_one_name_and_a_file_that_is_not_json_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "mailboxes.json"
    path.write_text(json.dumps({"inboxes": [{"name": "a"}, {"name": "a"}]}))
    with pytest.raises(ConfigError, match='two inboxes are named "a"'):
        inboxes(load_settings(None, mailboxes=path))
    path.write_text('{"inboxes": [')
    with pytest.raises(ConfigError, match="line 1"):
        inboxes(load_settings(None, mailboxes=path))


def test_the_command_line_says_what_is_wrong_with_the_file_without_a_traceback(
    tmp_path: Path,
) -> None:
    path = tmp_path / "mailboxes.json"
    path.write_text(json.dumps({"inboxes": [{"name": "office", "SMTP_PORT": "eleven"}]}))
    done = cli(
        ["--headless", "--once"],
        {
            "PATH": "/usr/bin:/bin",
            "PYTHONPATH": str(Path.cwd()),
            "MAILBOXES": str(path),
            "OUTPUT_DIR": str(tmp_path / "out"),
        },
        tmp_path,
    )
    assert done.returncode != 0
    assert "MAILBOXES" in done.stderr and "office" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_a_mailboxes_file_there_is_one_inbox_with_the_settings_as_they_are() -> None:
    settings = load_settings(None, mail_from="office@example.com")
    (only,) = inboxes(settings)
    assert only.name == "" and only.settings is settings
