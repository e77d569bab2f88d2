"""The embedded sandbox: moto's server as its own process on 127.0.0.1.

moto runs out of process (never `mock_aws` in this interpreter) so Terraform's
AWS provider and boto3 both reach it over real HTTP, exactly as they would a
real endpoint. The server gets a free port, is polled until it answers, logs to
a file kept beside the run's state, and is stopped at the end. It is started in
its own session so a Ctrl-C aimed at the test run does not kill it before the
teardown has destroyed what was applied to it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tfproof.errors import ToolchainError

START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str, timeout: float = 2.0) -> bool:
    """True when a moto server answers its management API at `url` (self-signed TLS is fine)."""
    import ssl

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    try:
        with urllib.request.urlopen(
            f"{url}/moto-api/data.json", timeout=timeout, context=context
        ) as response:
            return bool(response.status == 200)
    except (urllib.error.URLError, OSError, ValueError):
        return False


def is_moto_process(pid: int, port: int | None = None) -> bool:
    """True when `pid` is alive and is a moto server (on `port`, if given).

    Cleanup uses this before it signals a pid read from a run record, so a pid
    that the system has since given to another program is never touched.
    """
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return False
    args = [part.decode(errors="replace") for part in cmdline if part]
    if "tfproof.sandbox.moto_main" not in args and "moto.server" not in args:
        return False
    return port is None or str(port) in args


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (and is not a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def stop_pid(pid: int, timeout: float = STOP_TIMEOUT) -> None:
    """SIGTERM, wait (bounded), then SIGKILL one process."""
    for sig, wait in ((signal.SIGTERM, timeout), (signal.SIGKILL, 5.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError, OSError):
                os.waitpid(pid, os.WNOHANG)
            if not pid_alive(pid):
                return
            time.sleep(0.1)


class MotoServer:
    """One moto server process: `start()`, `url`, `stop()`; also a context manager."""

    def __init__(self, log_path: Path, port: int | None = None) -> None:
        self.log_path = Path(log_path)
        self.port = port or free_port()
        # TLS (moto's self-signed certificate): the envs' buckets deny aws:SecureTransport=false,
        # and moto enforces that, so a plain-HTTP sandbox could not even write an object.
        self.url = f"https://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        """The server's pid while it runs."""
        return self.process.pid if self.process else None

    def start(self, timeout: float = START_TIMEOUT) -> MotoServer:
        """Start the server and wait (bounded) until it answers."""
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
        env.pop("AWS_PROFILE", None)
        with open(self.log_path, "ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tfproof.sandbox.moto_main",
                 "-H", "127.0.0.1", "-p", str(self.port), "--ssl"],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ToolchainError(
                    f"The embedded moto server exited with status {self.process.returncode} "
                    f"right after starting; its log is {self.log_path}. Is moto[server] "
                    "installed in this environment (`make venv`)?"
                )
            if healthy(self.url):
                return self
            time.sleep(0.2)
        self.stop()
        raise ToolchainError(
            f"The embedded moto server did not answer on {self.url} within {timeout:.0f}s; "
            f"its log is {self.log_path}."
        )

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after a bounded wait)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None

    def __enter__(self) -> MotoServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
