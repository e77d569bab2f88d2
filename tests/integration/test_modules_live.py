"""Each module's live promises, proven on its own example with pytest-terraform fixtures.

`@terraform("<module>", scope="module")` applies `infra/modules/<module>/examples/basic`
(a scratch copy made for the sandbox, see module_examples.py) once for the tests that
use it and destroys it after the last of them. The tests read the applied resources
back through boto3 against the sandbox, mostly with the env's own live checks
(`tfproof.sandbox.checks`), on the full state of `terraform show -json`.
Examples the sandbox cannot serve are listed by `test_example_not_applied`, each with
its reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_terraform import terraform

from tfproof.sandbox.checks.alarms import alarm_actions, alarms_match_plan
from tfproof.sandbox.checks.backups import (
    rds_automated_backups,
    redis_snapshots,
    s3_versioning_recovery,
)
from tfproof.sandbox.checks.promises import (
    ecr_scan_on_push,
    encryption_at_rest,
    log_retention,
    public_access_blocked,
    tags_on_everything,
)
from tfproof.sandbox.checks.replication import objects_replicate
from tfproof.sandbox.checks.services import (
    budget_as_planned,
    redis_encryption,
    xray_sampling_rules,
)
from tfproof.sandbox.gaps import GAPS
from tfproof.sandbox.livecheck import LiveCheck
from tfproof.settings import current

from .module_examples import EXAMPLES, declared_types, emptied_by
from .module_session import ModuleContext

# under xdist each example is its own group (tests/integration/conftest.py): its fixture and
# every test using it stay on one worker
pytestmark = [
    pytest.mark.integration,
    pytest.mark.slow,
    pytest.mark.usefixtures("module_sandbox"),
]

Check = Callable[[ModuleContext], list[LiveCheck]]


def proven(ctx: ModuleContext, *checks: Check, only: str | None = None) -> list[LiveCheck]:
    """Run live checks (on resources of type `only`, if given); fail on any failure."""
    results = [r for check in checks for r in check(ctx)
               if only is None or f".{only}." in f".{r.resource}"]  # fmt: skip
    ctx.recorded.extend(results)
    assert results, "nothing was checked"
    failed = [r for r in results if r.status == "failed"]
    assert not failed, "\n".join(f"{r.resource}: {r.name}: {r.detail}" for r in failed)
    return results


# -- kms ----------------------------------------------------------------------------------
@terraform("kms", scope="module")
@pytest.mark.control("KEY-ROTATION")
def test_kms_key_rotation_enabled(kms, module_sandbox):
    ctx = module_sandbox.context("kms", kms)
    keys = ctx.resources("aws_kms_key")
    assert keys
    for key in keys:
        status = ctx.client("kms").get_key_rotation_status(KeyId=key.values["key_id"])
        assert status["KeyRotationEnabled"], key.address


@pytest.mark.control("TAGS")
def test_kms_tags(kms, module_sandbox):
    proven(module_sandbox.context("kms", kms), tags_on_everything)


# -- ecr ----------------------------------------------------------------------------------
@terraform("ecr", scope="module")
@pytest.mark.control("IMAGE-SCAN-PUSH")
def test_ecr_scan_on_push(ecr, module_sandbox):
    assert len(proven(module_sandbox.context("ecr", ecr), ecr_scan_on_push)) == 3


@pytest.mark.control("ENC-REST")
def test_ecr_encrypted_at_rest(ecr, module_sandbox):
    proven(module_sandbox.context("ecr", ecr), encryption_at_rest)


# -- iam ----------------------------------------------------------------------------------
@terraform("iam", scope="module")
@pytest.mark.control("IAM-LEAST")
def test_iam_roles_trust_one_service_and_grant_no_wildcard(iam, module_sandbox):
    ctx = module_sandbox.context("iam", iam)
    client = ctx.client("iam")
    roles = ctx.resources("aws_iam_role")
    assert len(roles) == 2
    for role in roles:
        name = role.values["name"]
        trust = client.get_role(RoleName=name)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        principals = {s["Principal"].get("Service") for s in trust["Statement"]}
        assert principals == {"ecs-tasks.amazonaws.com"}, (role.address, principals)
        for policy in client.list_role_policies(RoleName=name)["PolicyNames"]:
            document = client.get_role_policy(RoleName=name, PolicyName=policy)["PolicyDocument"]
            document = json.loads(document) if isinstance(document, str) else document
            for statement in document["Statement"]:
                actions = statement["Action"] if isinstance(statement["Action"], list) \
                    else [statement["Action"]]
                assert "*" not in actions, (role.address, policy, statement)


@pytest.mark.control("TAGS")
def test_iam_tags(iam, module_sandbox):
    proven(module_sandbox.context("iam", iam), tags_on_everything)


# -- monitoring ---------------------------------------------------------------------------
@terraform("monitoring", scope="module")
@pytest.mark.control("ALARMS")
def test_monitoring_alarms_as_planned_and_notifying(monitoring, module_sandbox):
    proven(module_sandbox.context("monitoring", monitoring), alarms_match_plan, alarm_actions)


@pytest.mark.control("LOG-RETENTION")
def test_monitoring_log_retention(monitoring, module_sandbox):
    proven(module_sandbox.context("monitoring", monitoring), log_retention)


@pytest.mark.control("ENC-REST")
def test_monitoring_topic_encrypted(monitoring, module_sandbox):
    proven(module_sandbox.context("monitoring", monitoring), encryption_at_rest)


# -- network ------------------------------------------------------------------------------
@terraform("network", scope="module")
@pytest.mark.control("AUDIT-LOGS")
def test_network_flow_logs_capture_all_traffic(network, module_sandbox):
    ctx = module_sandbox.context("network", network)
    (vpc,) = ctx.resources("aws_vpc")
    logs = ctx.client("ec2").describe_flow_logs(
        Filters=[{"Name": "resource-id", "Values": [vpc.values["id"]]}])["FlowLogs"]
    assert [(f["TrafficType"], f["LogDestinationType"]) for f in logs] == [
        ("ALL", "cloud-watch-logs")]


@pytest.mark.control("LOG-RETENTION")
def test_network_flow_log_retention(network, module_sandbox):
    proven(module_sandbox.context("network", network), log_retention)


@pytest.mark.control("NET-MIN")
def test_network_default_security_group_closed(network, module_sandbox):
    ctx = module_sandbox.context("network", network)
    (vpc,) = ctx.resources("aws_vpc")
    (group,) = ctx.client("ec2").describe_security_groups(Filters=[
        {"Name": "vpc-id", "Values": [vpc.values["id"]]},
        {"Name": "group-name", "Values": ["default"]}])["SecurityGroups"]  # fmt: skip
    assert group["IpPermissions"] == [] and group["IpPermissionsEgress"] == []


@pytest.mark.control("NET-PRIVATE")
def test_network_subnets_assign_no_public_ips(network, module_sandbox):
    ctx = module_sandbox.context("network", network)
    ids = [s.values["id"] for s in ctx.resources("aws_subnet")]
    subnets = ctx.client("ec2").describe_subnets(SubnetIds=ids)["Subnets"]
    assert len(subnets) == len(ids) >= 2
    assert not [s["SubnetId"] for s in subnets if s["MapPublicIpOnLaunch"]]


@pytest.mark.control("TAGS")
def test_network_tags(network, module_sandbox):
    proven(module_sandbox.context("network", network), tags_on_everything)

# -- storage ------------------------------------------------------------------------------
@terraform("storage", scope="module")
@pytest.mark.control("ENC-REST")
def test_storage_buckets_encrypted(storage, module_sandbox):
    assert len(proven(module_sandbox.context("storage", storage), encryption_at_rest)) >= 4


@pytest.mark.control("NET-PRIVATE")
def test_storage_public_access_blocked(storage, module_sandbox):
    proven(module_sandbox.context("storage", storage), public_access_blocked)


@pytest.mark.control("BACKUP")
def test_storage_versioning_recovers_objects(storage, module_sandbox):
    proven(module_sandbox.context("storage", storage), s3_versioning_recovery)


@pytest.mark.control("DR")
def test_storage_documents_replicate_to_the_replica_region(storage, module_sandbox):
    ctx = module_sandbox.context("storage", storage)
    buckets = {r.values["bucket"]: r for r in ctx.resources("aws_s3_bucket")}
    rules = ctx.client("s3").get_bucket_replication(Bucket="gen-ai-example-documents")[
        "ReplicationConfiguration"]["Rules"]
    assert [r["Status"] for r in rules] == ["Enabled"]
    destination = rules[0]["Destination"]["Bucket"].rsplit(":", 1)[-1]
    assert destination == "gen-ai-example-documents-replica" and destination in buckets
    proven(ctx, objects_replicate)  # and an object written now arrives there


@pytest.mark.control("TAGS")
def test_storage_tags(storage, module_sandbox):
    proven(module_sandbox.context("storage", storage), tags_on_everything)


# -- security groups ----------------------------------------------------------------------
@terraform("security_groups", scope="module")
@pytest.mark.control("NET-MIN")
def test_security_groups_open_only_https_to_the_world(security_groups, module_sandbox):
    ctx = module_sandbox.context("security-groups", security_groups)
    ids = {g.values["id"]: g.values["name"] for g in ctx.resources("aws_security_group")}
    groups = ctx.client("ec2").describe_security_groups(GroupIds=list(ids))["SecurityGroups"]
    world = {
        (ids[g["GroupId"]], p.get("FromPort"), p.get("ToPort"))
        for g in groups for p in g["IpPermissions"]
        if p.get("IpRanges") or p.get("Ipv6Ranges")
    }  # fmt: skip
    assert world == {("gen-ai-alb-sg", 443, 443)}, world
    stores = [g for g in groups if ids[g["GroupId"]] in ("gen-ai-db-sg", "gen-ai-cache-sg")]
    assert len(stores) == 2 and not [g["GroupId"] for g in stores if g["IpPermissionsEgress"]]


# -- endpoints ----------------------------------------------------------------------------
@terraform("endpoints", scope="module")
@pytest.mark.control("NET-PRIVATE")
def test_endpoints_s3_gateway_on_the_private_route_tables(endpoints, module_sandbox):
    ctx = module_sandbox.context("endpoints", endpoints)
    (endpoint,) = ctx.resources("aws_vpc_endpoint")
    (found,) = ctx.client("ec2").describe_vpc_endpoints(
        VpcEndpointIds=[endpoint.values["id"]])["VpcEndpoints"]
    assert found["VpcEndpointType"] == "Gateway"
    assert found["ServiceName"] == "com.amazonaws.us-east-1.s3"
    assert sorted(found["RouteTableIds"]) == sorted(endpoint.values["route_table_ids"])
    assert len(found["RouteTableIds"]) == 2


@pytest.mark.control("TAGS")
def test_endpoints_tags(endpoints, module_sandbox):
    proven(module_sandbox.context("endpoints", endpoints), tags_on_everything)

# -- rds ----------------------------------------------------------------------------------
@terraform("rds", scope="module")
@pytest.mark.control("ENC-REST")
def test_rds_storage_encrypted(rds, module_sandbox):
    proven(module_sandbox.context("rds", rds), encryption_at_rest)


@pytest.mark.control("BACKUP")
def test_rds_backups_kept_a_week(rds, module_sandbox):
    proven(module_sandbox.context("rds", rds), rds_automated_backups)


@pytest.mark.control("NET-PRIVATE")
def test_rds_not_public(rds, module_sandbox):
    proven(module_sandbox.context("rds", rds), public_access_blocked, only="aws_db_instance")


@pytest.mark.control("TAGS")
def test_rds_tags(rds, module_sandbox):
    proven(module_sandbox.context("rds", rds), tags_on_everything)

# -- secrets ------------------------------------------------------------------------------
@terraform("secrets", scope="module")
@pytest.mark.control("SECRETS", "ENC-REST")
def test_secrets_encrypted_with_their_own_key(secrets, module_sandbox):
    ctx = module_sandbox.context("secrets", secrets)
    (key,) = ctx.resources("aws_kms_key")
    stored = ctx.resources("aws_secretsmanager_secret")
    assert len(stored) == 3
    for secret in stored:
        found = ctx.client("secretsmanager").describe_secret(SecretId=secret.values["arn"])
        assert found.get("KmsKeyId") in (key.values["arn"], key.values["key_id"]), secret.address


@pytest.mark.control("KEY-ROTATION")
def test_secrets_key_rotation_enabled(secrets, module_sandbox):
    ctx = module_sandbox.context("secrets", secrets)
    (key,) = ctx.resources("aws_kms_key")
    assert ctx.client("kms").get_key_rotation_status(KeyId=key.values["key_id"])[
        "KeyRotationEnabled"]


@pytest.mark.control("SECRETS")
def test_secrets_saved_state_is_redacted(secrets, module_sandbox):
    import os

    saved = Path(module_sandbox.mods_dir / "secrets" / "tf_resources.json").read_text()
    password = os.environ["TF_VAR_db_password"]
    state = module_sandbox.context("secrets", secrets).state
    assert password in json.dumps(state), "the password never reached the state"
    assert password not in saved and "**REDACTED**" in saved


# -- redis --------------------------------------------------------------------------------
@terraform("redis", scope="module")
@pytest.mark.control("ENC-REST", "ENC-TRANSIT")
def test_redis_encrypted_at_rest_and_in_transit(redis, module_sandbox):
    proven(module_sandbox.context("redis", redis), redis_encryption)


@pytest.mark.control("BACKUP")
def test_redis_snapshots_kept_and_taken(redis, module_sandbox):
    proven(module_sandbox.context("redis", redis), redis_snapshots)


@pytest.mark.control("TAGS")
def test_redis_tags(redis, module_sandbox):
    proven(module_sandbox.context("redis", redis), tags_on_everything)


# -- xray ---------------------------------------------------------------------------------
@terraform("xray", scope="module")
@pytest.mark.control("OBSERVABILITY")
def test_xray_sampling_rule_as_planned(xray, module_sandbox):
    proven(module_sandbox.context("xray", xray), xray_sampling_rules)


@pytest.mark.control("TAGS")
def test_xray_tags(xray, module_sandbox):
    proven(module_sandbox.context("xray", xray), tags_on_everything)


# -- budget -------------------------------------------------------------------------------
@terraform("budget", scope="module")
@pytest.mark.control("COST")
def test_budget_as_planned(budget, module_sandbox):
    proven(module_sandbox.context("budget", budget), budget_as_planned)


# -- examples the sandbox does not serve --------------------------------------------------
def _not_applied() -> list[object]:
    params = []
    for example in EXAMPLES.values():
        gaps = [g for g in GAPS if set(g.resource_types) & declared_types(example)]
        emptied = emptied_by(example, gaps)
        if example.not_served or emptied:
            controls = sorted({c for g in emptied for c in g.controls})
            marks = [pytest.mark.control(*controls)] if controls else []
            params.append(pytest.param(example.module, marks=marks, id=example.module))
    return params


@pytest.mark.parametrize("module", _not_applied())
def test_example_not_applied(module, module_sandbox):
    reason = module_sandbox.skip_reason(EXAMPLES[module])
    if reason is None:  # a real account serves what moto cannot: no live test is written for it
        assert current().sandbox != "embedded"
        reason = (f"{module}: no live test on its own example (written for what the embedded "
                  "sandbox serves); the real-account env run applies and checks the module")
    pytest.skip(reason)
