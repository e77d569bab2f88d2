"""No planted secret survives a scan: not in the cache, not in temp files, not in any output.

`tfproof scan` of the `secrets` fixture root (literals in a Lambda environment
map, ECS container definitions as jsonencode and as a JSON heredoc, user_data
as plain text and base64) with two sensitive variables, one through `--var`
and one through `TF_VAR_`, in a fresh cache and a private TMPDIR. Afterwards
every file under both folders, stdout and stderr are searched for each planted
value in every spelling a writer could use (raw, JSON-escaped, base64).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURE = Path(__file__).parent / "fixtures" / "secrets"
TFPROOF = str(Path(sys.executable).parent / "tfproof")

LITERALS = ("Fixture-Lambda-Pw-5521", "Fixture-Ecs-Pw-8832", "Fixture-Heredoc-Tok-2047",
            "Fixture-UserData-Pw-6610", "Fixture-Base64-Pw-3158")
VAR_TOKEN = "Sweep-Var-Token-7d41c9"
ENV_PASSWORD = "Sweep-Env-Password-52be0a"


def _spellings(secret: str) -> set[bytes]:
    """Raw, JSON-escaped, and base64 at each of the three alignments inside a longer text."""
    raw = secret.encode()
    out = {raw, json.dumps(secret)[1:-1].encode()}
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + raw)
        # the characters that carry only secret bits, whatever comes before or after
        out.add(encoded[(offset * 8 + 5) // 6 : (offset + len(raw)) * 8 // 6])
    return out


def _files(root: Path) -> list[Path]:
    """Every regular file under `root`, not following links (the shared provider mirror)."""
    found = []
    for folder, _dirs, names in os.walk(root):
        found += [Path(folder, n) for n in names if Path(folder, n).is_file()
                  and not Path(folder, n).is_symlink()]
    return found


@pytest.mark.plan
@pytest.mark.checkov
@pytest.mark.slow
def test_no_planted_secret_in_cache_temp_or_output(tmp_path: Path, private_cache: Path) -> None:
    text = (FIXTURE / "main.tf").read_text()
    assert all(literal in text for literal in LITERALS), "the fixture lost a planted literal"
    # the linked provider mirror (an input from a wheel, not written by a scan) is skipped
    # by the sweep below
    cache, temp = private_cache, tmp_path / "tmp"
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "TFPROOF_STATS_FILE"}
    env.update(TFPROOF_CACHE_DIR=str(cache), TMPDIR=str(temp), TF_VAR_db_password=ENV_PASSWORD)
    proc = subprocess.run(
        [TFPROOF, "scan", str(FIXTURE), "--var", f"api_token={VAR_TOKEN}", "--format", "json"],
        capture_output=True, text=True, env=env, timeout=900, check=False,
    )
    assert proc.returncode == 1, proc.stderr[-2000:]
    report = json.loads(proc.stdout)
    failing = {f["resource"] for f in report["findings"]
               if f["check"] == "TFP_SECRETS_LITERAL" and f["status"] == "failed"}
    assert failing == {
        "aws_lambda_function.fail_lambda_literal_password",
        "aws_ecs_task_definition.fail_task_literal_environment",
        "aws_ecs_task_definition.fail_task_heredoc_json",
        "aws_instance.fail_instance_user_data_export",
        "aws_launch_template.fail_launch_template_base64",
    }
    files = _files(cache) + _files(temp)
    assert any(p.parent.name == "plans" for p in files), "the scan cached no plan"
    leaks = []
    for secret in (*LITERALS, VAR_TOKEN, ENV_PASSWORD):
        needles = _spellings(secret)
        for name, data in (("stdout", proc.stdout.encode()), ("stderr", proc.stderr.encode())):
            if any(n in data for n in needles):
                leaks.append(f"{secret} in {name}")
        for path in files:
            data = path.read_bytes()
            if any(n in data for n in needles):
                leaks.append(f"{secret} in {path.relative_to(tmp_path)}")
    assert not leaks, leaks
