"""pytest-terraform's replay file: redacted by the hook before it is saved, read back on replay."""

from __future__ import annotations

import pytest
from pytest_terraform.tf import TerraformState

from tfproof_dev.testcache import replay_lines

from .conftest import pytest_terraform_modify_state

pytestmark = pytest.mark.integration

STATE = {
    "resources": [
        {"mode": "managed", "type": "aws_secretsmanager_secret_version", "name": "db_password",
         "instances": [{"attributes": {"id": "v1", "secret_string": "Tp1-planted-db-password-0001",
                                       "secret_id": "gen-ai-db-password"}}]},
        {"mode": "managed", "type": "aws_ecs_task_definition", "name": "this",
         "instances": [{"attributes": {"id": "td", "container_definitions":
                                       '[{"name": "DB_PASSWORD", "value": "Tp1-planted-2"}]'}}]},
    ],
}


@pytest.mark.control("SECRETS")
def test_saved_state_is_redacted_and_the_replay_lists_it(tmp_path):
    import json

    state = TerraformState.from_string(json.dumps(STATE))
    exported = state.export()
    pytest_terraform_modify_state(tfstate=exported)  # what pytest-terraform does before saving
    state.update(exported)
    target = tmp_path / "secrets" / "tf_resources.json"
    target.parent.mkdir()
    state.save(str(target))
    saved = target.read_text()
    assert "Tp1-planted" not in saved and saved.count("**REDACTED**") == 2
    assert json.loads(saved)["resources"]["aws_secretsmanager_secret_version"]["db_password"][
        "secret_id"] == "gen-ai-db-password"
    assert replay_lines(tmp_path) == [
        "  secrets: 2 resources by type and name (aws_ecs_task_definition, "
        "aws_secretsmanager_secret_version), from its tf_resources.json"]
