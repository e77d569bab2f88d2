"""Plan a root module offline and cache the plan JSON by everything that can change it.

The key covers the files of the root and of every local module it calls, the
variables and var-file contents (hashed, never stored), `TF_VAR_*` in the
environment, the Terraform and provider versions and the provider settings. An
unchanged module therefore costs no `terraform plan` on the second run, which
is what makes the suite feel instant when nothing relevant changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tfproof import cachefile, plan_reader, progress, settings
from tfproof.errors import InputError, PlanError
from tfproof.plan import Plan
from tfproof.secrets.redact import redact_plan
from tfproof.settings import cache_dir
from tfproof.terraform.diagnose import diagnose
from tfproof.terraform.hcl import OFFLINE_SETTINGS
from tfproof.terraform.toolchain import file_lock, online_providers, versions
from tfproof.terraform.workspace import Workspace, summarise_error

CACHE_FORMAT = "4"  # 4: literal secrets in maps, JSON strings and scripts redacted


@dataclass
class PlanRequest:
    """What to plan: a root module, its inputs, and the provider settings to inject."""

    path: Path
    variables: Mapping[str, str] = field(default_factory=dict)
    var_files: Sequence[Path] = ()
    settings: Mapping[str, str] = field(default_factory=lambda: dict(OFFLINE_SETTINGS))
    provider_extra: str = ""
    label: str = ""

    def display(self) -> str:
        """How progress lines name this module."""
        if self.label:
            return self.label
        try:
            return str(self.path.resolve().relative_to(Path.cwd()))
        except ValueError:
            return str(self.path)


def _hash_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def var_files(request: PlanRequest) -> list[Path]:
    resolved = []
    for path in request.var_files:
        path = Path(path)
        if not path.is_file():
            raise InputError(f"The var-file {path} does not exist or is not a file.")
        resolved.append(path.resolve())
    return resolved


def cache_key(request: PlanRequest, workspace: Workspace) -> str:
    """sha256 of everything that can change the plan (secret values only as hashes)."""
    tf_env = {k: _hash_bytes(v.encode()) for k, v in os.environ.items() if k.startswith("TF_VAR_")}
    material = {
        "format": CACHE_FORMAT,
        "tree": workspace.digest(),
        "root": str(workspace.relative_root),
        "vars": {k: _hash_bytes(str(v).encode()) for k, v in sorted(request.variables.items())},
        "var_files": [_hash_bytes(p.read_bytes()) for p in var_files(request)],
        "tf_var_env": dict(sorted(tf_env.items())),
        "versions": vars(versions()),
        "settings": dict(sorted(request.settings.items())),
        "extra": request.provider_extra,
    }
    return _hash_bytes(json.dumps(material, sort_keys=True).encode())


def _stats(event: str, module: str, seconds: float) -> None:
    """Append one cache event for the test session's summary line."""
    target = settings.current().stats_file
    if target is None:
        return
    line = json.dumps({"event": event, "module": module, "seconds": round(seconds, 3)})
    with open(target, "a") as handle:
        handle.write(line + "\n")


def _cached(path: Path) -> dict[str, Any] | None:
    """A verified cache entry (corrupted ones are discarded and replanned)."""
    return cachefile.read_json(path, check=lambda doc: plan_reader.validate(doc, path.name))


# What makes the plan JSON on a cache miss: (workspace, request, TF_VAR_* env) -> the
# document of `terraform show -json`. tfproof's own is `terraform_plan`; the test suite
# passes one that drives tftest (tfproof_dev.tftest_plans), so both share this cache.
Producer = Callable[[Workspace, PlanRequest, dict[str, str]], dict[str, Any]]


def terraform_plan(
    workspace: Workspace, request: PlanRequest, env: dict[str, str]
) -> dict[str, Any]:
    """init, plan and `show -json` in the scratch copy, each through `lifecycle`."""
    display = request.display()
    workspace.materialise(request.settings, request.provider_extra)
    try:
        progress.say(f"terraform init: {display}")
        workspace.run(["init", "-input=false", "-no-color", "-backend=true"], env, "init")
        progress.say(f"terraform plan: {display}")
        args = ["plan", "-input=false", "-no-color", "-lock=false", "-out=tfproof.tfplan"]
        args += [f"-var-file={p}" for p in var_files(request)]
        workspace.run(args, env, "plan")
    except PlanError as exc:
        raise explained(exc, workspace, display) from exc
    shown = workspace.run(["show", "-json", "tfproof.tfplan"], env, "show")
    return plan_reader.parse(shown.stdout, f"`terraform show -json` of {display}")


def explained(error: PlanError, workspace: Workspace, display: str) -> PlanError:
    """The plan failure with its cause and the ways out first, when `diagnose` knows it.

    Terraform's own words follow the paragraph (folded, and scrubbed by the CLI like
    every message), so nothing the user needs to debug is lost.
    """
    sources = {
        str(path.relative_to(workspace.base)): path.read_text(errors="replace")
        for path in workspace.files()
        if path.name.endswith(".tf")
    }
    found = diagnose(error.output, sources, error.stage, registry=online_providers())
    if found is None:
        return error
    return PlanError(
        f"{display} cannot be planned here: {found.message}\n\nTerraform's own output of "
        f"`terraform {error.stage}`: {summarise_error(error.output)}",
        output=error.output, stage=error.stage,
    )


PLAN_CACHE_BYTES = 1024 * 2**20  # redacted plans, least recently used first beyond this


def plan_json(
    request: PlanRequest, use_cache: bool = True, produce: Producer | None = None
) -> dict[str, Any]:
    """Return the redacted plan JSON of a root module, planning only on a cache miss."""
    started, since = time.monotonic(), time.time() - 1  # file times may be coarser
    display = request.display()
    workspace = Workspace(request.path)
    key = cache_key(request, workspace)
    plans = cache_dir() / "plans"
    plans.mkdir(exist_ok=True)
    cached = plans / f"{key}.json"
    hit = _cached(cached) if use_cache else None
    if hit is not None:
        cachefile.touch(cached)
        progress.say(f"plan cache hit: {display} ({key[:12]})")
        _stats("hit", display, time.monotonic() - started)
        return hit
    with file_lock(plans / f"{key}.lock"):
        hit = _cached(cached) if use_cache else None
        if hit is not None:
            _stats("hit", display, time.monotonic() - started)
            return hit
        with workspace:
            env = {f"TF_VAR_{k}": str(v) for k, v in request.variables.items()}
            raw = (produce or terraform_plan)(workspace, request, env)
        raw = redact_plan(raw)
        plan_reader.validate(raw, f"the plan of {display}")
        cachefile.write_json(cached, raw)
    cachefile.prune(plans, since, PLAN_CACHE_BYTES)  # a new entry: keep the folder bounded
    seconds = time.monotonic() - started
    progress.say(f"planned {display}: {plan_reader.managed_count(raw)} resources in {seconds:.1f}s")
    _stats("plan", display, seconds)
    return raw


def plan(request: PlanRequest, use_cache: bool = True, produce: Producer | None = None) -> Plan:
    """The plan of a root module as a `Plan` object."""
    return Plan(plan_json(request, use_cache, produce), name=request.display(), checked=True)
