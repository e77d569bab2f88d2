"""The integration session: one apply of the sandbox env, and the module examples.

`live_run` starts the sandbox (embedded moto by default; TFPROOF_SANDBOX=aws
for a real account), applies `infra/envs/sandbox` once for test_live_checks.py,
yields, and always tears down (exceptions, Ctrl-C and SIGTERM included); a teardown that leaves
anything behind errors the session. The terminal summary names the run, what
was applied and destroyed and how long it took, and every skip reason.

The env is not a pytest-terraform fixture, and cannot be one: the same `LiveRun`
is the audit's live layer (`run_live_checks`, outside pytest), and it needs what
pytest-terraform's runner does not do: a run record written before anything is
applied (Terraform's pid, the state's place, the moto server's pid) so that
`tfproof sandbox cleanup` can finish a killed run; a deadline on every Terraform
call and a SIGINT-first stop of its process group; `-var` toggles for moto's gaps;
a second plan for idempotence; and the sweep of the run's tag after the destroy.

The module examples (`infra/modules/*/examples/basic`) are pytest-terraform
fixtures (`test_modules_live.py`): `--tf-mod-dir` points at scratch copies made
by `module_sandbox` (`module_session.ModuleSession`), and the state pytest-terraform
saves is redacted in `pytest_terraform_modify_state`. They get a moto server of
their own (one per xdist worker) rather than the env's: they run on other workers,
in parallel with the env (one moto process would serialize the applies), and the
env's server belongs to its run record, which a crash cleanup stops with it.
docs/testing-libraries.md lists pytest-terraform's limits and what is done about each.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytest_terraform import tf as pytest_terraform_tf

from tfproof import lifecycle
from tfproof.sandbox.interface import mask_account
from tfproof.sandbox.kinds import sandbox_from_settings
from tfproof.sandbox.live import LiveRun, default_root
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.sandbox.runner import SandboxRun

from .module_examples import EXAMPLES
from .module_session import ModuleSession, redact_resources

FIXTURES = Path(__file__).parent / "fixtures"
MINI_ROOT = FIXTURES / "mini_sandbox"
_REPORT: dict[str, object] = {"checks": []}
_MODULES: dict[str, ModuleSession] = {}
_SCRATCH = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--tfproof-replay-out", default=None, metavar="DIR",
        help="keep pytest-terraform's replay file (tf_resources.json, redacted) of every applied "
        "module example in DIR/<module>/ (tfproof_dev.testcache's record of a passing run)")


def pytest_configure(config: pytest.Config) -> None:
    """Point pytest-terraform's `--tf-mod-dir` at this session's scratch copies (unless given)."""
    if not hasattr(config.option, "dest_tf_mod_dir"):
        return  # pytest-terraform is not loaded (-p no:terraform)
    if getattr(config.option, "dist", "no") == "load":  # `-n N` alone
        # pytest-terraform cannot share a fixture between workers: keep each xdist group
        # (the module examples, the env) on one worker
        config.option.dist = "loadgroup"
    if getattr(config, "workerinput", {}).get("tfproof_loadgroup"):
        # a worker re-parses the bare command line and so derives `loadgroup` (which suffixes
        # each test id with its group) as off: the controller says otherwise in workerinput
        config.option.loadgroup = True
    scratch = lifecycle.scratch_dir("tfmods")  # removed at the end, swept after a SIGKILL
    config.stash[_SCRATCH] = scratch
    if not (config.option.dest_tf_mod_dir or config.getini("terraform-mod-dir")):
        config.option.dest_tf_mod_dir = str(scratch / "mods")
    # the plugin reads the option in its own pytest_configure; when pytest finds this conftest
    # during collection (`pytest tests`), that has already run: give the value to the plugin's
    # lazy placeholder, as its configure would have
    pytest_terraform_tf.LazyModuleDir.value = config.option.dest_tf_mod_dir or config.getini(
        "terraform-mod-dir")


_FIRST_GROUPS = ("sandbox-env",)  # the longest chain of work starts first under xdist


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Each module example is its own xdist group; the env's group is collected first.

    pytest-terraform cannot share one example's fixture between workers, but different
    examples may run on different workers (each worker has its own `module_sandbox`), so
    the RDS and Redis examples (a minute of provider waits each) no longer queue behind
    every other example. xdist hands groups out in collection order: the env's apply,
    checks and destroy, the longest chain, go first. Every worker sorts the same way.
    """
    fixtures = {example.fixture for example in EXAMPLES.values()}
    for item in items:
        used = sorted(fixtures.intersection(getattr(item, "fixturenames", ())))
        if item.path.name == "test_modules_live.py" and used:
            item.add_marker(pytest.mark.xdist_group(f"module-{used[0]}"))

    def first(item: pytest.Item) -> int:
        groups = {m.args[0] for m in item.iter_markers("xdist_group") if m.args}
        return 0 if groups & set(_FIRST_GROUPS) else 1

    items.sort(key=first)  # stable: the order within each part is kept


def pytest_configure_node(node: object) -> None:
    """xdist controller: tell each worker that tests travel by group (see pytest_configure)."""
    config = node.config  # type: ignore[attr-defined]
    if getattr(config.option, "dist", "no") == "loadgroup":
        node.workerinput["tfproof_loadgroup"] = True  # type: ignore[attr-defined]


def pytest_unconfigure(config: pytest.Config) -> None:
    scratch = config.stash.get(_SCRATCH, None)
    if scratch is not None:
        lifecycle.release(scratch)


def pytest_terraform_modify_state(tfstate) -> None:
    """pytest-terraform writes the state it saves into the module folder: redacted first."""
    tfstate.update_dict(redact_resources(tfstate.dict))


_FIXTURE_MODULES = {e.fixture: e.module for e in EXAMPLES.values()}


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef, request):
    """Time each module example's fixture (pytest-terraform's init, plan and apply)."""
    started = time.monotonic()
    try:
        return (yield)
    finally:
        session = _MODULES.get("session")
        if session is not None and fixturedef.argname in _FIXTURE_MODULES:
            session.applied[_FIXTURE_MODULES[fixturedef.argname]] = time.monotonic() - started


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """Time teardowns: pytest-terraform destroys an example in its last test's teardown."""
    started = time.monotonic()
    try:
        return (yield)
    finally:
        session = _MODULES.get("session")
        if session is not None:
            seconds = time.monotonic() - started
            for name in set(item.fixturenames) & set(_FIXTURE_MODULES):
                module = _FIXTURE_MODULES[name]
                session.destroyed[module] = max(seconds, session.destroyed.get(module, 0.0))


@pytest.fixture(scope="session")
def module_sandbox(request: pytest.FixtureRequest) -> Iterator[ModuleSession]:
    """The sandbox and scratch copies of the module examples, torn down and checked at the end."""
    mods = Path(pytest_terraform_tf.LazyModuleDir.resolve())
    replay_out = request.config.getoption("--tfproof-replay-out", default=None)
    session = ModuleSession(sandbox_from_settings(), mods, request.config.stash[_SCRATCH],
                            Path(replay_out) if replay_out else None)
    _MODULES["session"] = session
    with session:
        yield session
    assert session.report is not None
    SandboxRun.check_clean(session.report)


def sandbox_root() -> Path:
    """infra/envs/sandbox; the small stand-in root only while the env does not exist yet."""
    root = default_root()
    return root if any(root.glob("*.tf")) else MINI_ROOT


def record_checks(results: list[LiveCheck]) -> None:
    """Keep results for the terminal summary."""
    _REPORT["checks"].extend(results)  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def live_run() -> Iterator[LiveRun]:
    """The applied sandbox env, torn down after its tests whatever happens.

    Module scope (only test_live_checks.py uses it): under xdist the env's worker also
    takes other groups, and a session fixture would hold the env, and its destroy, until
    that worker had run them all.
    """
    started = time.monotonic()
    live = LiveRun(sandbox_from_settings(), sandbox_root())
    _REPORT["root"] = str(live.root)
    with live:
        _REPORT.update(run_id=live.run.run_id, kind=live.sandbox.kind,
                       account=mask_account(live.run.account_id), applied=live.run.applied,
                       apply_seconds=live.run.apply_seconds,
                       gaps=[g.skip_reason() for g in live.run.gaps])  # fmt: skip
        yield live
    report = live.teardown_report
    _REPORT.update(destroyed=report.destroyed if report else 0,
                   teardown_seconds=report.seconds if report else 0,
                   total_seconds=time.monotonic() - started)  # fmt: skip
    assert report is not None
    SandboxRun.check_clean(report)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    # under xdist the sessions ran in the workers, which sent their lines (pytest_testnodedown)
    sections = _WORKER_SECTIONS or _sections()
    for title, lines in sections:
        terminalreporter.write_sep("-", title)
        for line in lines:
            terminalreporter.write_line(line)


_WORKER_SECTIONS: list[tuple[str, list[str]]] = []


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """In an xdist worker (after its session fixtures are torn down): send the summary along."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["tfproof_sections"] = _sections()


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    _WORKER_SECTIONS.extend(
        (title, list(lines)) for title, lines in node.workeroutput.get("tfproof_sections", []))


def _sections() -> list[tuple[str, list[str]]]:
    out = []
    if "run_id" in _REPORT:
        out.append(("tfproof sandbox", _env_lines()))
    session = _MODULES.get("session")
    if session is not None and session.record is not None:
        out.append(("tfproof module examples (pytest-terraform)", _module_lines(session)))
    return out


def _check_lines(checks: list[LiveCheck]) -> list[str]:
    counts = {s: sum(1 for c in checks if c.status == s) for s in ("passed", "failed", "skipped")}
    lines = [f"live checks: {counts['passed']} passed, {counts['failed']} failed, "
             f"{counts['skipped']} skipped"]  # fmt: skip
    lines += [f"  {check.status}: {check.name} [{check.control}] {check.resource}: {check.detail}"
              for check in checks if check.status != "passed"]  # fmt: skip
    return lines


def _env_lines() -> list[str]:
    lines = [
        f"run {_REPORT['run_id']} ({_REPORT['kind']}, account {_REPORT['account']}) "
        f"on {_REPORT['root']}",
        f"applied {_REPORT['applied']} resources in {_REPORT['apply_seconds']:.0f}s; "
        f"destroyed {_REPORT.get('destroyed', '?')} in {_REPORT.get('teardown_seconds', 0):.0f}s; "
        f"sandbox session {_REPORT.get('total_seconds', 0):.0f}s",
    ]
    lines += [f"left out: {reason}" for reason in _REPORT.get("gaps", [])]  # type: ignore[union-attr]
    return lines + _check_lines(_REPORT["checks"])  # type: ignore[arg-type]


def _module_lines(session: ModuleSession) -> list[str]:
    report = session.report
    lines = [f"run {session.run_id} ({session.sandbox.kind}, account "
             f"{session.record.account_hint}); session {session.seconds:.0f}s; swept after the "
             f"examples' destroys: {', '.join(report.swept) or 'nothing' if report else '?'}; "
             f"left: {', '.join(report.leftovers) or 'nothing' if report else '?'}"]  # fmt: skip
    for example in EXAMPLES.values():
        if example.module in session.applied:
            applied, destroyed = session.applied[example.module], session.destroyed.get(
                example.module)
            lines.append(f"  {example.module}: applied in {applied:.0f}s, destroyed in "
                         + (f"{destroyed:.0f}s" if destroyed is not None else "?"))
        else:
            reason = example.not_served or "; ".join(
                g.skip_reason() for g in session.gaps.get(example.module, [])) or "not requested"
            lines.append(f"  {example.module}: not applied: {reason}")
        if example.module in session.applied:
            lines += [f"    left out: {g.skip_reason()}" for g in session.gaps[example.module]]
    return lines + _check_lines(session.checks)
