"""The command line and the model server: `check-model`, and `triage` saying it fell back."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path

from tests.support.llm import LlmServer, Reply, Status, takes_json_object_with_schema
from tests.support.mail import make_email

ROOT = Path(__file__).resolve().parents[2]
DRAFT = {
    "intent": "maintenance",
    "confidence": 0.9,
    "emergency": False,
    "summary": "Dripping tap",
    "reply": "Hello, our maintenance team will contact you about the tap.",
    "ticket": None,
    "questions": [],
}


def run_cli(tmp_path: Path, base_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT),
        "LLM_PROVIDER": "openai",
        "OPENAI_BASE_URL": base_url,
        "OPENAI_MODEL": "test-model",
        "DATA_DIR": str(ROOT / "data"),
        "MAX_RETRIES": "0",
    }
    return subprocess.run(
        [sys.executable, "-m", "console", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_model_reports_the_mode_that_works(llm_server: LlmServer, tmp_path: Path) -> None:
    llm_server.default = takes_json_object_with_schema(Reply(DRAFT))
    result = run_cli(tmp_path, llm_server.base_url, "check-model")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == [
        f"server: {llm_server.base_url}",
        "model: test-model",
        "structured output: json_object",
    ]
    assert lines[3].startswith("  refused json_schema: 500: 1 validation error:")
    assert lines[4].startswith("round trip: ") and lines[4].endswith(" s")
    assert lines[5] == "answer: a valid draft (maintenance, confidence 0.90)"
    assert len(llm_server.requests) == 2


def test_check_model_says_exactly_why_it_fails(llm_server: LlmServer, tmp_path: Path) -> None:
    llm_server.default = lambda _: Status(
        404, {"error": {"message": "model 'test-model' not found"}}
    )
    result = run_cli(tmp_path, llm_server.base_url, "check-model")
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"check-model: {llm_server.base_url} (test-model): the model server refused the request "
        "(404: model 'test-model' not found)"
    ]


def test_check_model_names_a_server_that_is_not_there(tmp_path: Path) -> None:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{probe.getsockname()[1]}/v1"
    result = run_cli(tmp_path, url, "check-model")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"check-model: {url} (test-model): cannot reach the model server at {url}"
    ]


def test_triage_says_on_stderr_why_the_draft_is_the_fallback(
    llm_server: LlmServer, tmp_path: Path
) -> None:
    llm_server.default = lambda _: Status(500, {"error": {"message": "out of memory"}})
    mail = tmp_path / "tap.eml"
    mail.write_bytes(make_email("maria.gonzalez@example.com", "Tap", "The kitchen tap drips."))
    result = run_cli(tmp_path, llm_server.base_url, "triage", str(mail))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["provider"] == "offline (fallback)"
    assert result.stderr.splitlines() == [
        "the model failed: the model server failed (500: out of memory) "
        "(the offline fallback wrote the draft)"
    ]
