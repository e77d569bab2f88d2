"""Helpers of the `tfproof verify` tests: a sealed bundle, and a forger's tools.

The forger edits seals the way a person with a text editor would (rewriting a
SHA256SUMS line, a manifest.json record), and `opened_paths` records every path
verify touches, so a test can prove a path outside the bundle was never opened.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from unittest import mock

from tfproof.evidence.bundle import BundleWriter
from tfproof.evidence.manifest import MANIFEST, SUMS, ManifestData
from tfproof.secrets.scrub import SecretGuard

RUN = "20250101T000000Z-abc1234"
TFPROOF = Path(sys.executable).with_name("tfproof")


def seal_bundle(out: Path, make_evidence: Callable[..., Any], planted_plan: Any,
                data: ManifestData | None = None) -> Path:
    """A sealed bundle with nested folders, JSON, text and a plan (as `tfproof audit` writes)."""
    writer = BundleWriter(out, RUN, SecretGuard([]))
    writer.write_json("evidence.json", make_evidence())
    writer.write_json("plans/sandbox.plan.json", planted_plan, indent=None)
    writer.write_text("controls.csv", "control,status\nENC-REST,failed\n")
    writer.write_text("logs/pytest-output.txt", "1 passed\n")
    return writer.finish(data or ManifestData(
        run_id=RUN, started="2025-01-01T00:00:00Z", finished="2025-01-01T00:01:00Z",
        git={"commit": None}, versions={"tfproof": "0.1.0"}, sandbox={"kind": None},
        envs=["sandbox"], layers_run=[], command=["tfproof", "audit"], inputs={},
    ))


@contextlib.contextmanager
def copy_of(pristine: Path) -> Iterator[Path]:
    """A throwaway copy of a bundle (for hypothesis, which cannot use tmp_path per example)."""
    with tempfile.TemporaryDirectory(prefix="tfproof-test-") as name:
        yield Path(shutil.copytree(pristine, Path(name) / RUN))


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sums_of(bundle: Path) -> dict[str, str]:
    lines = (bundle / SUMS).read_text().splitlines()
    return {rel: digest for digest, rel in (line.split("  ", 1) for line in lines)}


def write_sums(bundle: Path, records: dict[str, str]) -> None:
    (bundle / SUMS).write_text("".join(f"{d}  {rel}\n" for rel, d in sorted(records.items())))


def manifest_of(bundle: Path) -> dict[str, Any]:
    return json.loads((bundle / MANIFEST).read_text())


def write_manifest(bundle: Path, doc: Any, reseal: bool = False) -> None:
    """Write manifest.json; with `reseal`, also forge its line in SHA256SUMS to match."""
    (bundle / MANIFEST).write_text(json.dumps(doc, indent=1) + "\n")
    if reseal:
        sums = sums_of(bundle)
        sums[MANIFEST] = sha((bundle / MANIFEST).read_bytes())
        write_sums(bundle, sums)


def forge_sums_line(bundle: Path, rel: str, data: bytes) -> None:
    """Write `data` to the file `rel` and forge its SHA256SUMS line to match."""
    (bundle / rel).write_bytes(data)
    sums = sums_of(bundle)
    sums[rel] = sha(data)
    write_sums(bundle, sums)


def forge_manifest_record(bundle: Path, rel: str, data: bytes, reseal: bool = False) -> None:
    """Write `data` to the file `rel` and forge its manifest.json record to match.

    With `reseal`, manifest.json's own line in SHA256SUMS is forged too.
    """
    (bundle / rel).write_bytes(data)
    doc = manifest_of(bundle)
    doc["files"][rel] = sha(data)
    write_manifest(bundle, doc, reseal)


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TFPROOF), *args], capture_output=True, text=True,
                          check=False, timeout=timeout)


def problems_naming(result: Any, rel: str) -> list[str]:
    return [p for p in result.problems if rel in p]


@contextlib.contextmanager
def opened_paths() -> Iterator[list[str]]:
    """Record every path verify opens, stats or lists, to prove what it never touched."""
    seen: list[str] = []
    real_open, real_stat, real_scandir = os.open, os.stat, os.scandir

    def spy(real: Any) -> Any:
        def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
            seen.append(os.fsdecode(path) if isinstance(path, (str, bytes, os.PathLike)) else "")
            return real(path, *args, **kwargs)
        return wrapper

    with mock.patch("os.open", spy(real_open)), mock.patch("os.stat", spy(real_stat)), \
            mock.patch("os.scandir", spy(real_scandir)):
        yield seen
