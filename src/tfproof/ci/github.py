"""The GitHub Action's one step (`python -m tfproof.ci.github`, run by action.yml).

It scans once, through `tfproof.cli.main` (so the action takes the same arguments
and fails the same way as `tfproof scan`), and renders that one report three ways:
SARIF into a file for `upload-sarif` (URIs relative to GITHUB_WORKSPACE), markdown
into the step summary, the table into the log. Outputs: `sarif-file`, `failed`
(unwaived failures), `exit-code` (tfproof's), `category` (for code scanning).

The step's exit status keeps tfproof's meaning: 0 nothing fails; 1 unwaived
failures, but only when `fail-on` says they fail the step; 2 (or 128+N after a
signal) whenever the scan could not run or the step could not finish, whatever
`fail-on` says, with one paragraph on stderr and in the summary, never a traceback.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib.resources
import io
import re
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from tfproof.ci.inputs import ActionInputs, Runner, read_inputs, read_runner
from tfproof.ci.report import markdown, report_from_json, step_status
from tfproof.cli import EXIT_INPUT
from tfproof.cli import main as tfproof_main
from tfproof.commands.common import check_output, emit
from tfproof.engine.policy import policies_dir
from tfproof.errors import TfproofError
from tfproof.findings import ScanReport
from tfproof.formats import mdtext
from tfproof.formats.sarif import render_sarif
from tfproof.formats.table import render_table
from tfproof.secrets.scrub import scrub


class _Tee(io.TextIOBase):
    """stderr that also keeps what was written: the scan's error paragraph for the summary."""

    def __init__(self, stream: TextIO) -> None:
        self.stream, self.kept = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.kept.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def _say(message: str) -> None:
    print(f"tfproof: {scrub(message)}", file=sys.stderr, flush=True)


def _no_waivers() -> Path:
    return Path(str(importlib.resources.files("tfproof") / "data" / "no-waivers.yaml"))


def waivers_for(inputs: ActionInputs, runner: Runner) -> ActionInputs:
    """Without a `waivers` input, the policies' own waivers.yaml applies only when it belongs
    to the scanned repository: tfproof's accepted risks are not another repository's."""
    if inputs.waivers:
        return inputs
    own = policies_dir().resolve() / "waivers.yaml"
    if not own.is_file() or runner.workspace in own.parents:
        return inputs
    return dataclasses.replace(inputs, waivers=str(_no_waivers()))


def run_scan(argv: list[str]) -> tuple[int, str, str]:
    """`tfproof scan ARGV --format json`: (exit status, JSON report, stderr's last paragraph)."""
    out, tee = io.StringIO(), _Tee(sys.stderr)
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(tee):
        status = tfproof_main([*argv, "--format", "json"])
    said = [line for line in tee.kept.getvalue().splitlines() if line.startswith("tfproof: ")]
    return status, out.getvalue(), said[-1].removeprefix("tfproof: ") if said else ""


def _outputs(runner: Runner, values: dict[str, str]) -> None:
    """Append to GITHUB_OUTPUT in the multi-line form (a value can never forge another)."""
    with open(runner.output, "a", encoding="utf-8") as handle:
        for name, value in values.items():
            delimiter = f"tfproof_{uuid.uuid4().hex}"
            handle.write(f"{name}<<{delimiter}\n{scrub(value)}\n{delimiter}\n")


def _summary(runner: Runner, text: str) -> None:
    if runner.summary is not None:
        with open(runner.summary, "a", encoding="utf-8") as handle:
            handle.write(scrub(text) + "\n")


def _sarif_path(inputs: ActionInputs, runner: Runner) -> Path:
    if inputs.sarif_file:
        return Path(inputs.sarif_file)
    slug = "".join(c if c.isalnum() else "-" for c in inputs.code_scanning_category())
    return runner.temp / f"{slug.strip('-')}.sarif"


def step(inputs: ActionInputs, runner: Runner) -> int:
    """Scan, write SARIF, summary and outputs; the step's exit status (see module docstring)."""
    inputs = waivers_for(inputs, runner)
    sarif = _sarif_path(inputs, runner)
    check_output(sarif, "sarif-file")  # an unwritable place stops the step before the scan
    status, text, said = run_scan(inputs.scan_argv())
    outputs = {"exit-code": str(status), "category": inputs.code_scanning_category()}
    if status not in (0, 1):
        _outputs(runner, {**outputs, "sarif-file": "", "failed": ""})
        _summary(runner, f"### tfproof could not scan\n\n{_quoted(said or f'exit {status}')}\n\n"
                         "Nothing was judged as passed; see the step's log.")
        return status
    report: ScanReport = report_from_json(text)
    emit(render_sarif(report, runner.workspace), sarif, "sarif-file")
    _outputs(runner, {**outputs, "sarif-file": str(sarif), "failed": str(len(report.new_failed))})
    if inputs.summary:
        _summary(runner, markdown(report))
    sys.stdout.write(scrub(render_table(report)))
    result = step_status(status, report, inputs.fail_on)
    if status == 1 and result == 0:
        print(f"tfproof: {len(report.new_failed)} unwaived failure(s) reported; with fail-on "
              f"{inputs.fail_on} they do not fail the step (output exit-code is 1).")
    return result


def _quoted(message: str) -> str:
    """The paragraph in a fenced code block, so it renders as the text it is: it names
    folders and files of the pull request, which must not become links, HTML or @mentions
    on the run's page (a fence longer than any run of backticks in it; no control chars)."""
    lines = [mdtext.clean(line, 20_000) for line in message.splitlines() or [""]]
    fence = "`" * max([3, *(len(run) + 1 for run in re.findall("`+", message))])
    return "\n".join([f"{fence}text", *lines, fence])


@contextlib.contextmanager
def _boundary(status: list[int]) -> Iterator[None]:
    """Exit 2 with one paragraph for anything the step could not do (as `tfproof.cli`)."""
    try:
        yield
    except TfproofError as exc:
        _say(f"error: {exc}")
        status[0] = EXIT_INPUT
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        _say(f"error: could not read or write{where}: {exc.strerror or exc}; check that path "
             "(the sarif-file input, the runner's GITHUB_OUTPUT/GITHUB_STEP_SUMMARY) and rerun.")
        status[0] = EXIT_INPUT
    except KeyboardInterrupt:
        _say("interrupted.")
        status[0] = 130
    except Exception as exc:
        _say(f"internal error: {type(exc).__name__}: {exc}. This is a bug in tfproof's GitHub "
             "step, not a verdict on your input (nothing was judged as passed); please report "
             "it to the tfproof maintainers.")
        status[0] = EXIT_INPUT


def main() -> int:
    """Entry point of the action's step."""
    status = [EXIT_INPUT]
    with _boundary(status):
        inputs = read_inputs()
        runner = read_runner(summary=inputs.summary)
        try:
            status[0] = step(inputs, runner)
        except (TfproofError, OSError) as exc:
            with contextlib.suppress(OSError):  # the outputs still say the step failed
                _outputs(runner, {"exit-code": str(EXIT_INPUT), "sarif-file": "", "failed": ""})
                _summary(runner, f"### tfproof could not finish\n\n{_quoted(str(exc))}")
            raise
    return status[0]


if __name__ == "__main__":
    raise SystemExit(main())
