"""Self-signed TLS certificate for the loopback test servers.

One certificate per test session, made with the ``openssl`` CLI, valid for
``localhost`` and ``127.0.0.1`` and marked ``CA:TRUE`` so that it can serve
as its own trust anchor.  Servers (Dovecot, aiosmtpd) present it; clients
trust it either through :meth:`LocalhostCertificate.client_context` or, as the
application code does, through ``SSL_CERT_FILE=<cert_path>``, which
``ssl.create_default_context()`` honours (OpenSSL reads the variable each
time default verify paths are loaded).
"""

from __future__ import annotations

import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

_EXTENSIONS = (
    "subjectAltName=DNS:localhost,IP:127.0.0.1",
    "basicConstraints=critical,CA:TRUE",  # its own trust anchor (SSL_CERT_FILE)
    "keyUsage=critical,digitalSignature,keyCertSign",
)


@dataclass(frozen=True)
class LocalhostCertificate:
    """Paths of a PEM certificate and its unencrypted private key."""

    cert_path: Path
    key_path: Path

    def server_context(self) -> ssl.SSLContext:
        """A server-side context presenting this certificate."""
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(self.cert_path, self.key_path)
        return context

    def client_context(self) -> ssl.SSLContext:
        """A verifying client context that trusts only this certificate."""
        return ssl.create_default_context(cafile=str(self.cert_path))


def create_certificate(directory: Path) -> LocalhostCertificate:
    """Generate a fresh self-signed certificate for localhost in ``directory``."""
    cert = LocalhostCertificate(directory / "cert.pem", directory / "key.pem")
    command = ["openssl", "req", "-x509", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
    command += ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    command += ["-keyout", str(cert.key_path), "-out", str(cert.cert_path)]
    for extension in _EXTENSIONS:
        command += ["-addext", extension]
    subprocess.run(command, check=True, capture_output=True)
    return cert
