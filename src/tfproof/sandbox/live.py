"""The whole integration layer outside pytest: `run_live_checks(kind=...) -> list[LiveCheck]`.

`LiveRun` is the shared core: it applies the sandbox env once (the pytest
session fixture and this function both use it), runs named checks, checks
idempotence, and tears down whatever happens (exceptions, Ctrl-C, SIGTERM).
The evidence bundle calls `run_live_checks()` and records every LiveCheck,
including the skipped ones with their reasons and the run's cleanup verdict.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from tfproof.sandbox.checks import CHECKS
from tfproof.sandbox.checks.base import LiveContext
from tfproof.sandbox.interface import Sandbox
from tfproof.sandbox.kinds import EmbeddedSandbox, sandbox_from_settings
from tfproof.sandbox.livecheck import FAILED, PASSED, SKIPPED, LiveCheck
from tfproof.sandbox.override import default_tags_expression
from tfproof.sandbox.runner import SandboxRun
from tfproof.sandbox.signals import interrupts_raise
from tfproof.sandbox.teardown import Teardown
from tfproof.settings import project_root, with_overrides
from tfproof.terraform.hcl import provider_blocks

__all__ = ["LiveRun", "classify_drift", "default_root", "run_live_checks"]

# Attributes moto 5.2.5 does not keep, so a plan right after apply shows them again.
MOTO_DRIFT: dict[str, tuple[str, ...]] = {
    "aws_ecs_service": ("enable_ecs_managed_tags", "health_check_grace_period_seconds"),
    "aws_cloudtrail": ("event_selector",),
    "aws_db_parameter_group": ("parameter",),
}


def default_root() -> Path:
    """The sandbox env of this repository."""
    return project_root() / "infra" / "envs" / "sandbox"


def _literal_tags(root: Path) -> dict[str, str]:
    """Env default tags whose values are string literals (what TAGS expects on everything)."""
    import re

    for alias, body in provider_blocks(root):
        if alias is None:
            expr = default_tags_expression(body) or ""
            return dict(re.findall(r'(\w+)\s*=\s*"([^"$]*)"', expr))
    return {}


def classify_drift(changes: list[dict[str, Any]], default_tags: dict[str, str],
                   kind: str) -> dict[str, list[str]]:  # fmt: skip
    """Sort a post-apply plan's changes into known causes and the unexplained rest.

    `env-default-tags`: a resource's `tags` repeats the provider's default tags
    with the same values; AWS provider 3.x strips those keys on read, so every
    plan wants to add them again (an env defect, fixed by not repeating them).
    `moto`: attributes moto does not keep. `cascade`: only values that become
    unknown because something upstream changes. Everything else is `unexplained`.
    """
    out: dict[str, list[str]] = {"env-default-tags": [], "moto": [], "cascade": [],
                                 "unexplained": []}  # fmt: skip
    for change in changes:
        actions = change["change"]["actions"]
        if actions in (["no-op"], ["read"]):
            continue
        before = change["change"].get("before") or {}
        after = change["change"].get("after") or {}
        unknown = change["change"].get("after_unknown") or {}
        changed = sorted(k for k in set(before) | set(after)
                         if before.get(k) != after.get(k) and not unknown.get(k))  # fmt: skip
        address = change["address"]
        causes = set()
        for key in changed:
            if key == "tags":
                added = {k: v for k, v in (after.get("tags") or {}).items()
                         if (before.get("tags") or {}).get(k) != v}  # fmt: skip
                if added and all(default_tags.get(k) == v for k, v in added.items()):
                    causes.add("env-default-tags")
                    continue
            if kind == "embedded" and key in MOTO_DRIFT.get(change["type"], ()):
                causes.add("moto")
                continue
            causes.add("unexplained")
        if not changed and actions == ["update"]:
            causes.add("cascade")
        if "replace" in "/".join(actions) or "delete" in actions:
            causes.add("unexplained")
        label = "unexplained" if "unexplained" in causes else sorted(causes)[0] if causes \
            else "unexplained"
        out[label].append(f"{address} ({', '.join(changed) or 'values known after apply'})")
    return out


class LiveRun:
    """One applied sandbox shared by many checks; always torn down (context manager)."""

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        root: Path | None = None,
        variables: dict[str, str] | None = None,
        run_id: str | None = None,
    ) -> None:
        self.sandbox = sandbox or sandbox_from_settings()
        self.root = Path(root or default_root())
        self.run = SandboxRun(self.sandbox, self.root, variables, run_id=run_id)
        self.context: LiveContext | None = None
        self.teardown_report: Teardown | None = None
        self.started = time.monotonic()
        self._interrupts: Any = None

    def __enter__(self) -> LiveRun:
        self._interrupts = interrupts_raise()
        self._interrupts.__enter__()
        try:
            self.run.prepare()
            self.run.apply()
        except BaseException as exc:
            self.__exit__(type(exc), exc, exc.__traceback__)
            raise
        self.context = LiveContext(self.sandbox, self.run.state, self.run.run_id,
                                   self.run.gaps, _literal_tags(self.root))  # fmt: skip
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.teardown_report is None:
                self.teardown_report = self.run.teardown()
        finally:
            if self._interrupts is not None:
                self._interrupts.__exit__(None, None, None)
                self._interrupts = None

    def check(self, name: str) -> list[LiveCheck]:
        """Run one registered check; an exception is a failed LiveCheck, not a crash."""
        assert self.context is not None
        try:
            return CHECKS[name](self.context)
        except Exception as exc:
            return [LiveCheck(name, "", FAILED, f"the check raised {type(exc).__name__}: {exc}")]

    def drift(self) -> dict[str, list[str]]:
        """The post-apply plan's changes, by cause (see `classify_drift`)."""
        import json

        self.run.pending_changes()
        shown = self.run._tf(["show", "-json", "again.tfplan"], self.run.timeouts.plan)
        raw = json.loads(shown.stdout)
        return classify_drift(raw.get("resource_changes", []), self.common_tags(),
                              self.sandbox.kind)  # fmt: skip

    def common_tags(self) -> dict[str, str]:
        """Tags with one value on every applied resource (the provider's default tags)."""
        assert self.context is not None
        common: dict[str, str] | None = None
        for res in self.context.resources():
            tags = res.values.get("tags_all")
            if isinstance(tags, dict):
                common = dict(tags) if common is None else {
                    k: v for k, v in common.items() if tags.get(k) == v}  # fmt: skip
        common = common or {}
        common.pop("TfproofRun", None)
        return common

    def idempotence(self, drift: dict[str, list[str]] | None = None) -> list[LiveCheck]:
        """A plan right after apply shows no changes (moto's own drift named, not counted)."""
        drift = self.drift() if drift is None else drift
        out = []
        bad = drift["unexplained"] + drift["env-default-tags"]
        detail = "no changes" if not any(drift.values()) else "; ".join(
            f"{cause}: {len(items)} ({', '.join(items[:3])}{' ...' if len(items) > 3 else ''})"
            for cause, items in drift.items() if items)  # fmt: skip
        out.append(LiveCheck("plan after apply shows no changes", "",
                             FAILED if bad else PASSED, detail))  # fmt: skip
        return out

    def gap_checks(self) -> list[LiveCheck]:
        """One skipped LiveCheck per moto gap, with its reason."""
        return [
            LiveCheck(f"embedded apply: {gap.name}", control, SKIPPED, gap.skip_reason())
            for gap in self.run.gaps for control in gap.controls
        ]

    def cleanup_check(self) -> LiveCheck:
        """The teardown verdict as a LiveCheck (after `__exit__`)."""
        report = self.teardown_report or Teardown(errors=["the run was not torn down"])
        return LiveCheck(
            "nothing left after teardown", "", PASSED if report.clean else FAILED,
            f"destroyed {report.destroyed}, swept {len(report.swept)}, left "
            f"{len(report.leftovers)}: {', '.join(report.leftovers) or 'nothing'}"
            + (f"; errors: {'; '.join(report.errors)}" if report.errors else ""),
        )


def run_live_checks(kind: str | None = None, root: Path | None = None,
                    names: list[str] | None = None) -> list[LiveCheck]:  # fmt: skip
    """Apply, run every live check (or `names`), check idempotence, tear down; all verdicts.

    `kind` None follows TFPROOF_SANDBOX (default embedded); "embedded" forces the
    local moto server; "aws" needs TFPROOF_SANDBOX_ACCOUNT_ID and refuses any
    other account. Setup failures raise (TfproofError); check failures do not.
    """
    if kind == "embedded":
        sandbox: Sandbox = EmbeddedSandbox()
    elif kind in (None, ""):
        sandbox = sandbox_from_settings()
    else:
        sandbox = sandbox_from_settings(with_overrides(sandbox=kind))
    results: list[LiveCheck] = []
    live = LiveRun(sandbox, root)
    with live:
        for name in names or list(CHECKS):
            results.extend(live.check(name))
        results.extend(live.idempotence())
        results.extend(live.gap_checks())
    results.append(live.cleanup_check())
    return results
