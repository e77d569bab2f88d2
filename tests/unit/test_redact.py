"""Redaction of literal secrets inside maps, JSON strings and scripts, and their registration.

Plain values in plan-JSON shapes (no Terraform run): what is masked, what is kept
byte for byte so that other policies still read it, and that every clear text
replaced reaches the process-wide scrubber.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Iterator

import pytest

from tfproof.secrets import scrub
from tfproof.secrets.redact import REDACTED, redact_plan
from tfproof.secrets.text import is_secret_key, marker_paths, mask_value

SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
ECS_JSON = json.dumps([{
    "name": "app",
    "image": "nginx:1.25",
    "environment": [
        {"name": "DB_PASSWORD", "value": "Ecs-Literal-Pw-1"},
        {"Name": "API_TOKEN", "Value": "Ecs-Literal-Tok-2"},
        {"name": "LOG_LEVEL", "value": "info"},
    ],
    "secrets": [{"name": "DB_PASSWORD", "valueFrom": SECRET_ARN}],
}], indent=2)
SCRIPT = (
    "#!/bin/bash\n"
    "export DB_HOST=db.internal\n"
    "export DB_PASSWORD=Shell-Export-Pw-3\n"
    'PASSWORD="Shell-Quoted-Pw-4"\n'
    "api_key: Yaml-Api-Key-5  # comment\n"
    'SECRET="$(aws secretsmanager get-secret-value --secret-id x)"\n'
    "TOKEN=${TOKEN_FROM_ENV}\n"
)


@pytest.fixture(autouse=True)
def _fresh_scrubber() -> Iterator[None]:
    scrub.forget_all()
    yield
    scrub.forget_all()


def test_credential_keys_at_any_depth_of_a_map_are_masked() -> None:
    value = {"variables": {"DB_PASSWORD": "Map-Pw-1", "LOG_LEVEL": "info",
                           "nested": [{"dbPassword": "Camel-Pw-2"}]}}
    masked, found = mask_value(value)
    assert masked == {"variables": {"DB_PASSWORD": REDACTED, "LOG_LEVEL": "info",
                                    "nested": [{"dbPassword": REDACTED}]}}
    assert sorted(found) == ["Camel-Pw-2", "Map-Pw-1"]


def test_switches_and_numbers_under_credential_names_are_kept() -> None:
    value = {"create_secret": True, "manage_master_user_password": False, "token_ttl": 60}
    assert mask_value(value) == (value, [])


@pytest.mark.parametrize(("name", "secret"), [
    ("DB_PASSWORD", True), ("dbPassword", True), ("DBPassword", True), ("db-password", True),
    ("spring.datasource.password", True), ("API_TOKEN", True), ("DB_SECRET_ID", False),
    ("LOG_LEVEL", False), ("secrets", False), ("valueFrom", False), ("password_length", False),
])
def test_secret_key_names(name: str, secret: bool) -> None:
    assert is_secret_key(name) is secret


def test_name_value_pairs_in_a_json_string_are_masked_and_the_rest_kept() -> None:
    masked, found = mask_value(ECS_JSON, "container_definitions")
    assert sorted(found) == ["Ecs-Literal-Pw-1", "Ecs-Literal-Tok-2"]
    assert masked == json.dumps(json.loads(masked), separators=(",", ":"), sort_keys=True)
    (container,) = json.loads(masked)
    assert container["environment"] == [
        {"name": "DB_PASSWORD", "value": REDACTED},
        {"Name": "API_TOKEN", "Value": REDACTED},
        {"name": "LOG_LEVEL", "value": "info"},
    ]
    # valueFrom names where the secret lives (an ARN): not a secret, kept
    assert container["secrets"] == json.loads(ECS_JSON)[0]["secrets"]
    assert container["image"] == "nginx:1.25"


def test_json_without_a_credential_is_kept_byte_for_byte() -> None:
    policy = '{\n  "Version": "2012-10-17",\n  "Statement": [{"Effect": "Allow"}]\n}'
    assert mask_value(policy, "policy") == (policy, [])


def test_shell_and_yaml_assignments_in_a_script_are_masked() -> None:
    masked, found = mask_value(SCRIPT, "user_data")
    assert sorted(found) == ["Shell-Export-Pw-3", "Shell-Quoted-Pw-4", "Yaml-Api-Key-5"]
    lines = masked.splitlines()
    assert lines[1] == "export DB_HOST=db.internal"
    assert lines[2] == f"export DB_PASSWORD={REDACTED}"
    assert lines[3] == f'PASSWORD="{REDACTED}"'
    assert lines[4] == f"api_key: {REDACTED}  # comment"
    # fetched at boot or taken from the environment: not literals
    assert lines[5:] == SCRIPT.splitlines()[5:]


def test_one_line_strings_are_read_as_scripts_only_under_user_data() -> None:
    assert mask_value("PASSWORD=abc123456", "description") == ("PASSWORD=abc123456", [])
    assert mask_value("PASSWORD=abc123456", "user_data") == (f"PASSWORD={REDACTED}",
                                                             ["abc123456"])


def test_base64_user_data_is_replaced_whole_when_it_hides_a_secret() -> None:
    encoded = base64.b64encode(SCRIPT.encode()).decode()
    masked, found = mask_value(encoded, "user_data")
    assert masked == REDACTED
    assert encoded in found and "Shell-Export-Pw-3" in found
    clean = base64.b64encode(b"#!/bin/bash\nexport DB_HOST=db.internal\n").decode()
    assert mask_value(clean, "user_data") == (clean, [])
    binary = base64.b64encode(bytes(range(200, 248))).decode()
    assert mask_value(binary, "user_data") == (binary, [])


def test_masking_is_idempotent() -> None:
    value = {"a": ECS_JSON, "user_data": SCRIPT, "env": {"DB_PASSWORD": "Map-Pw-1"}}
    once, _ = mask_value(value)
    assert mask_value(once) == (once, [])


def test_marker_paths_name_pairs_by_their_name() -> None:
    masked, _ = mask_value({"variables": {"DB_PASSWORD": "x1234"},
                            "container_definitions": ECS_JSON, "user_data": SCRIPT})
    assert sorted(marker_paths(masked, "root")) == [
        "root.container_definitions[0].environment.API_TOKEN",
        "root.container_definitions[0].environment.DB_PASSWORD",
        "root.user_data",
        "root.variables.DB_PASSWORD",
    ]


def _plan() -> dict:
    """A plan JSON in Terraform's shape with literals in every section tfproof keeps."""
    lambda_values = {"function_name": "f",
                     "environment": [{"variables": {"DB_PASSWORD": "Plan-Lambda-Pw-1",
                                                    "LOG_LEVEL": "info"}}]}
    task_values = {"family": "t", "container_definitions": ECS_JSON}
    instance_values = {"user_data": base64.b64encode(SCRIPT.encode()).decode()}
    resources = [
        {"address": "aws_lambda_function.f", "mode": "managed", "type": "aws_lambda_function",
         "name": "f", "values": lambda_values, "sensitive_values": {}},
        {"address": "aws_ecs_task_definition.t", "mode": "managed",
         "type": "aws_ecs_task_definition", "name": "t", "values": task_values,
         "sensitive_values": {}},
        {"address": "aws_launch_template.l", "mode": "managed", "type": "aws_launch_template",
         "name": "l", "values": instance_values, "sensitive_values": {}},
    ]

    def change(address: str, values: dict) -> dict:
        return {"address": address, "change": {"actions": ["update"], "before": values,
                                               "after": values, "after_unknown": {}}}

    return {
        "format_version": "1.2",
        "variables": {"api_token": {"value": "Plan-Var-Token-9"}, "region": {"value": "eu"}},
        "planned_values": {"root_module": {"resources": copy.deepcopy(resources)}},
        "prior_state": {"values": {"root_module": {"resources": copy.deepcopy(resources)}}},
        "resource_changes": [change(r["address"], copy.deepcopy(r["values"]))
                             for r in resources],
        "resource_drift": [change(r["address"], copy.deepcopy(r["values"])) for r in resources],
        "configuration": {"root_module": {
            "variables": {"api_token": {"sensitive": True}, "region": {}},
            "resources": [
                {"address": "aws_lambda_function.f", "expressions": {"environment": [{
                    "variables": {"constant_value": {"DB_PASSWORD": "Plan-Lambda-Pw-1",
                                                     "LOG_LEVEL": "info"}}}]}},
                {"address": "aws_ecs_task_definition.t", "expressions": {
                    "container_definitions": {"constant_value": ECS_JSON}}},
                {"address": "aws_instance.i", "expressions": {
                    "user_data": {"constant_value": SCRIPT},
                    "setting": [{"name": {"constant_value": "DB_PASSWORD"},
                                 "value": {"constant_value": "Plan-Pair-Pw-7"}}],
                    "create_secret": {"constant_value": True}}},
            ]}},
    }


PLANTED = ("Plan-Lambda-Pw-1", "Ecs-Literal-Pw-1", "Ecs-Literal-Tok-2", "Shell-Export-Pw-3",
           "Shell-Quoted-Pw-4", "Yaml-Api-Key-5", "Plan-Pair-Pw-7", "Plan-Var-Token-9")


def test_redact_plan_leaves_no_literal_in_any_section() -> None:
    plan = redact_plan(_plan())
    text = json.dumps(plan)
    assert not [secret for secret in PLANTED if secret in text]
    assert base64.b64encode(SCRIPT.encode()).decode() not in text
    # what is not a secret survives for the other policies
    config = plan["configuration"]["root_module"]["resources"]
    assert config[0]["expressions"]["environment"][0]["variables"]["constant_value"] == {
        "DB_PASSWORD": REDACTED, "LOG_LEVEL": "info"}
    assert config[2]["expressions"]["create_secret"] == {"constant_value": True}
    assert plan["variables"]["region"] == {"value": "eu"}
    after = plan["resource_changes"][1]["change"]["after"]
    assert json.loads(after["container_definitions"])[0]["image"] == "nginx:1.25"


def test_redact_plan_registers_every_replaced_value_with_the_scrubber() -> None:
    redact_plan(_plan())
    message = "terraform said: " + " ".join(PLANTED)
    assert not [secret for secret in PLANTED if secret in scrub.scrub(message)]
    encoded = base64.b64encode(SCRIPT.encode()).decode()
    assert scrub.scrub(encoded) == REDACTED


def test_short_and_non_string_values_are_not_registered() -> None:
    plan = _plan()
    plan["variables"]["api_token"]["value"] = "abc"
    plan["planned_values"]["root_module"]["resources"][0]["values"]["password"] = "xy"
    resource = plan["planned_values"]["root_module"]["resources"][0]
    resource["values"]["pin"] = 123456
    resource["sensitive_values"]["pin"] = True
    redact_plan(plan)
    assert scrub.scrub("abc xy 123456 info") == "abc xy 123456 info"


def test_redact_plan_is_idempotent() -> None:
    once = redact_plan(_plan())
    assert redact_plan(copy.deepcopy(once)) == once
