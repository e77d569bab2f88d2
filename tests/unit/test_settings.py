"""Settings: every TFPROOF_* variable read in one place, wrong values refused, README in step."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tfproof import settings
from tfproof.errors import InputError

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src"


def test_every_field_is_documented_in_the_readme():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`(TFPROOF_[A-Z_]+)", readme))
    fields = {settings.env_name(name) for name in settings.Settings.model_fields}
    missing = sorted(fields - documented)
    assert not missing, f"add to the README's Settings table: {missing}"
    stale = documented - fields
    assert not stale, f"the README documents variables tfproof does not read: {sorted(stale)}"


def test_only_the_settings_module_reads_tfproof_variables():
    """An os.environ read of a TFPROOF_* name anywhere else is a second, unchecked reader."""
    read = re.compile(r"(environ(\.get)?|getenv)\(?\[?\s*[\"']TFPROOF_")
    write = re.compile(r"environ\[[^\]]+\]\s*=(?!=)")  # setting a child's environment is fine
    offenders = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in SRC.rglob("*.py") if path.name != "settings.py"
        for n, line in enumerate(path.read_text().splitlines(), 1)
        if read.search(line) and not write.search(line)
    ]
    assert offenders == []


@pytest.mark.parametrize(("name", "value"), [
    ("TFPROOF_SANDBOX", "prod"),
    ("TFPROOF_QUIET", "maybe"),
    ("TFPROOF_DEBUG", "2"),
    ("TFPROOF_PROVIDER_SOURCE", "internet"),
    ("TFPROOF_SANDBOX_TIMEOUT_SCALE", "fast"),
    ("TFPROOF_SANDBOX_TIMEOUT_SCALE", "-1"),
])
def test_a_wrong_value_is_refused_naming_the_variable(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError, match=f"{name}=") as caught:
        settings.current()
    assert "Fix or unset the variable" in str(caught.value)


@pytest.mark.parametrize(("value", "expected"), [
    ("", False), ("0", False), ("false", False), ("off", False), ("1", True), ("true", True),
    ("yes", True),
])
def test_flags(monkeypatch, value, expected):
    monkeypatch.setenv("TFPROOF_QUIET", value)
    assert settings.current().quiet is expected


def test_words_are_case_insensitive_and_defaults_hold(monkeypatch):
    for name in ("TFPROOF_SANDBOX", "TFPROOF_PROVIDER_SOURCE", "TFPROOF_SANDBOX_REGION"):
        monkeypatch.delenv(name, raising=False)
    assert settings.current().sandbox == "embedded"
    assert settings.current().sandbox_region == "us-east-1"
    monkeypatch.setenv("TFPROOF_SANDBOX", " AWS ")
    monkeypatch.setenv("TFPROOF_PROVIDER_SOURCE", "Registry")
    assert (settings.current().sandbox, settings.current().provider_source) == ("aws", "registry")


def test_a_change_of_environment_is_seen(monkeypatch):
    monkeypatch.setenv("TFPROOF_QUIET", "0")
    assert settings.current().quiet is False
    monkeypatch.setenv("TFPROOF_QUIET", "1")
    assert settings.current().quiet is True


def test_the_cli_refuses_a_wrong_setting_with_exit_2_before_any_work(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TFPROOF_SANDBOX": "prod",
           "TFPROOF_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run([sys.executable, "-m", "tfproof.cli", "scan", "--plan",
                           str(tmp_path / "missing.json")],
                          env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "TFPROOF_SANDBOX='prod' is not valid" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "cache").exists()


def test_the_project_root_is_found_from_the_package_wherever_the_command_runs(tmp_path,
                                                                                monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert settings.find_project_root() == ROOT
    assert settings.project_root() == ROOT
