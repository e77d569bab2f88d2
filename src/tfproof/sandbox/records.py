"""The run record: a small JSON file that lets a later process finish a crashed run's teardown.

Each run keeps its scratch copy, its Terraform state and this record under
`TFPROOF_CACHE_DIR/sandbox/<run-id>/`. The record says which kind of sandbox
the run used, where its endpoint was, which tags mark what it created, which
processes it started and how far it got, so that `tfproof sandbox cleanup`
(and the start of every new run) can find leftovers and remove them. The
account id is kept only as a fingerprint and a masked hint, never in clear.
"""

from __future__ import annotations

import json
import os
import secrets
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tfproof.sandbox.interface import Sandbox, account_digest, mask_account
from tfproof.settings import cache_dir

RUN_TAG = "TfproofRun"
RECORD_NAME = "run.json"


def runs_dir() -> Path:
    """Where run folders live."""
    path = cache_dir() / "sandbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def new_run_id() -> str:
    """A unique, sortable, name-safe run id (also the value of the run tag)."""
    return time.strftime("tfp-%Y%m%d%H%M%S", time.gmtime()) + "-" + secrets.token_hex(3)


@dataclass
class RunRecord:
    """What a run started and how far it got (see the module docstring)."""

    run_id: str
    kind: str
    region: str
    root: str
    root_relative: str = ""
    endpoint: str | None = None
    regions: list[str] = field(default_factory=list)
    account_hint: str = ""
    account_sha256: str = ""
    tags: dict[str, str] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # never a secret (see runner)
    # variables given as secrets: names only, their values live in the run's memory
    secret_names: list[str] = field(default_factory=list)
    owner_pid: int = 0
    server_pid: int | None = None
    server_port: int | None = None
    terraform_pid: int | None = None
    status: str = "created"
    started: float = field(default_factory=time.time)
    finished: float | None = None
    applied: int = 0
    destroyed: int = 0
    leftovers: list[str] = field(default_factory=list)

    @property
    def directory(self) -> Path:
        """The run's folder (scratch copy, state, logs, this record)."""
        return runs_dir() / self.run_id

    @property
    def work_dir(self) -> Path:
        """Where the scratch copy of the root module lives."""
        return self.directory / "work"

    def bind(self, sandbox: Sandbox, account: str, regions: list[str]) -> None:
        """Note where the run applies (endpoint, server, masked account, regions), in a
        private folder, so that a later cleanup can find and verify the same sandbox."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.directory.chmod(0o700)
        server = getattr(sandbox, "server", None)
        self.endpoint = sandbox.endpoint_url
        self.server_pid = server.pid if server else None
        self.server_port = server.port if server else None
        self.account_hint = mask_account(account)
        self.account_sha256 = account_digest(account)
        self.regions = regions

    def save(self) -> None:
        """Write the record atomically (a crash never leaves half a record)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.directory / RECORD_NAME
        tmp = target.with_suffix(f".tmp{os.getpid()}")
        tmp.write_text(json.dumps(asdict(self), indent=1, sort_keys=True))
        tmp.replace(target)

    def update(self, **changes: Any) -> None:
        """Change some fields and save."""
        for key, value in changes.items():
            setattr(self, key, value)
        self.save()

    @classmethod
    def load(cls, path: Path) -> RunRecord:
        """Read one record (a run folder or its run.json)."""
        path = Path(path)
        if path.is_dir():
            path = path / RECORD_NAME
        data = json.loads(path.read_text())
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


def all_records() -> list[RunRecord]:
    """Every run record under the cache directory, oldest first (unreadable ones skipped)."""
    out = []
    for folder in sorted(runs_dir().iterdir()):
        if (folder / RECORD_NAME).is_file():
            try:
                out.append(RunRecord.load(folder))
            except (OSError, ValueError, TypeError):
                continue
    return out
