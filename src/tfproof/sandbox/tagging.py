"""Find what carries a run's tag (resource groups tagging API) and remove it.

Terraform destroy, driven by the run's own state, is the first line of
cleanup. This is the second: after a crash the state may miss what was being
created at the moment of the kill, so everything that carries the run's tag is
listed, deleted type by type (in a few passes, because some deletions wait on
others), and listed again. What is still there is a leftover, and a run with
leftovers fails.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from tfproof.sandbox.interface import Sandbox
from tfproof.sandbox.records import RUN_TAG

_GONE_KMS_STATES = {"PendingDeletion", "PendingReplicaDeletion"}


def _arn_parts(arn: str) -> tuple[str, str, str]:
    """(service, region, resource) of an ARN."""
    parts = arn.split(":", 5)
    return parts[2], parts[3], parts[5] if len(parts) > 5 else ""


def tagged_arns(sandbox: Sandbox, run_id: str, regions: list[str]) -> list[str]:
    """ARNs of everything tagged `TfproofRun=<run_id>` that still exists, in these regions."""
    found: list[str] = []
    for region in dict.fromkeys(regions):
        client = sandbox.client("resourcegroupstaggingapi", region=region)
        paginator = client.get_paginator("get_resources")
        for page in paginator.paginate(TagFilters=[{"Key": RUN_TAG, "Values": [run_id]}]):
            for item in page.get("ResourceTagMappingList", []):
                arn = item["ResourceARN"]
                if arn not in found and not _already_going(sandbox, arn):
                    found.append(arn)
    return sorted(found)


def _already_going(sandbox: Sandbox, arn: str) -> bool:
    """True for resources deleted but still listed (a KMS key pending deletion, a deleted NAT)."""
    service, region, resource = _arn_parts(arn)
    if service == "ec2" and resource.startswith("natgateway/"):
        try:
            gateways = sandbox.client("ec2", region=region).describe_nat_gateways(
                NatGatewayIds=[resource.split("/", 1)[1]]
            )["NatGateways"]
        except Exception:
            return True
        return all(g.get("State") in ("deleting", "deleted") for g in gateways)
    if service == "ecs":
        return _ecs_inactive(sandbox, arn, region, resource)
    if service != "kms":
        return False
    try:
        state = sandbox.client("kms", region=region).describe_key(KeyId=arn)["KeyMetadata"]
    except Exception:  # a key that cannot be described is gone
        return True
    return state.get("KeyState") in _GONE_KMS_STATES


def _ecs_inactive(sandbox: Sandbox, arn: str, region: str, resource: str) -> bool:
    """ECS keeps deleted clusters and services, and deregistered task definitions, as INACTIVE."""
    ecs = sandbox.client("ecs", region=region)
    kind, _, name = resource.partition("/")
    try:
        if kind == "cluster":
            items = ecs.describe_clusters(clusters=[arn])["clusters"]
        elif kind == "service":
            items = ecs.describe_services(cluster=name.split("/")[0], services=[arn])["services"]
        elif kind == "task-definition":
            items = [ecs.describe_task_definition(taskDefinition=arn)["taskDefinition"]]
        else:
            return False
    except Exception:
        return False
    return all(str(i.get("status", "")).upper() in ("INACTIVE", "DELETE_IN_PROGRESS")
               for i in items)  # fmt: skip


def _empty_bucket(s3: Any, bucket: str) -> None:
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
        ]
        if objects:
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})


def _delete(sandbox: Sandbox, arn: str) -> None:
    """Delete one resource by ARN; raises on failure or on an unknown type."""
    service, region, resource = _arn_parts(arn)
    c: Callable[[str], Any] = lambda name: sandbox.client(name, region=region or None)  # noqa: E731
    kind, _, name = resource.partition("/") if "/" in resource else resource.partition(":")
    if service == "s3":
        s3 = c("s3")
        _empty_bucket(s3, resource)
        s3.delete_bucket(Bucket=resource)
    elif service == "sns":
        c("sns").delete_topic(TopicArn=arn)
    elif service == "sqs":
        sqs = c("sqs")
        sqs.delete_queue(QueueUrl=sqs.get_queue_url(QueueName=resource)["QueueUrl"])
    elif service == "logs":
        c("logs").delete_log_group(logGroupName=resource.split(":", 1)[1].removesuffix(":*"))
    elif service == "kms":
        # the key id, not the ARN: moto 5.2.5 looks keys up by id only (a 500 for an ARN)
        c("kms").schedule_key_deletion(KeyId=name if kind == "key" else arn, PendingWindowInDays=7)
    elif service == "cloudwatch":
        c("cloudwatch").delete_alarms(AlarmNames=[resource.split(":", 1)[1]])
    elif service == "rds":
        rds = c("rds")
        kind, _, name = resource.partition(":")
        if kind == "db":
            rds.delete_db_instance(
                DBInstanceIdentifier=name, SkipFinalSnapshot=True, DeleteAutomatedBackups=True
            )
        elif kind == "snapshot":
            rds.delete_db_snapshot(DBSnapshotIdentifier=name)
        elif kind == "subgrp":
            rds.delete_db_subnet_group(DBSubnetGroupName=name)
        elif kind == "pg":
            rds.delete_db_parameter_group(DBParameterGroupName=name)
        else:
            raise ValueError(kind)
    elif service == "elasticache":
        ec = c("elasticache")
        kind, _, name = resource.partition(":")
        if kind == "replicationgroup":
            ec.delete_replication_group(ReplicationGroupId=name)
        elif kind == "cluster":
            ec.delete_cache_cluster(CacheClusterId=name)
        elif kind == "subnetgroup":
            ec.delete_cache_subnet_group(CacheSubnetGroupName=name)
        elif kind == "parametergroup":
            ec.delete_cache_parameter_group(CacheParameterGroupName=name)
        elif kind == "snapshot":  # the Redis live check's own snapshot
            ec.delete_snapshot(SnapshotName=name)
        else:
            raise ValueError(kind)
    elif service == "xray" and kind == "sampling-rule":
        c("xray").delete_sampling_rule(RuleName=name)
    elif service == "budgets" and kind == "budget":
        c("budgets").delete_budget(AccountId=arn.split(":")[4], BudgetName=name)
    elif service == "secretsmanager":
        c("secretsmanager").delete_secret(SecretId=arn, ForceDeleteWithoutRecovery=True)
    elif service == "ecr":
        c("ecr").delete_repository(repositoryName=name, force=True)
    elif service == "acm":
        c("acm").delete_certificate(CertificateArn=arn)
    elif service == "elasticloadbalancing":
        elb = c("elbv2")
        if kind == "loadbalancer":
            elb.delete_load_balancer(LoadBalancerArn=arn)
        elif kind == "targetgroup":
            elb.delete_target_group(TargetGroupArn=arn)
        elif kind in ("listener", "listener-rule"):
            (elb.delete_listener if kind == "listener" else elb.delete_rule)(
                **({"ListenerArn": arn} if kind == "listener" else {"RuleArn": arn})
            )
        else:
            raise ValueError(kind)
    elif service == "ecs":
        ecs = c("ecs")
        if kind == "service":
            cluster, _, svc = name.partition("/")
            ecs.update_service(cluster=cluster, service=svc, desiredCount=0)
            ecs.delete_service(cluster=cluster, service=svc, force=True)
        elif kind == "cluster":
            ecs.delete_cluster(cluster=arn)
        elif kind == "task-definition":
            ecs.deregister_task_definition(taskDefinition=arn)
        else:
            raise ValueError(kind)
    elif service == "ec2":
        _delete_ec2(c("ec2"), kind, name or resource)
    else:
        raise ValueError(f"no deleter for {service}")


def _delete_ec2(ec2: Any, kind: str, ident: str) -> None:
    if kind == "vpc":
        ec2.delete_vpc(VpcId=ident)
    elif kind == "subnet":
        ec2.delete_subnet(SubnetId=ident)
    elif kind == "security-group":
        ec2.delete_security_group(GroupId=ident)
    elif kind == "internet-gateway":
        gateway = ec2.describe_internet_gateways(InternetGatewayIds=[ident])
        for attachment in gateway["InternetGateways"][0].get("Attachments", []):
            ec2.detach_internet_gateway(InternetGatewayId=ident, VpcId=attachment["VpcId"])
        ec2.delete_internet_gateway(InternetGatewayId=ident)
    elif kind == "natgateway":
        ec2.delete_nat_gateway(NatGatewayId=ident)
    elif kind == "elastic-ip":
        ec2.release_address(AllocationId=ident)
    elif kind == "route-table":
        table = ec2.describe_route_tables(RouteTableIds=[ident])["RouteTables"][0]
        for assoc in table.get("Associations", []):
            if not assoc.get("Main"):
                ec2.disassociate_route_table(AssociationId=assoc["RouteTableAssociationId"])
        ec2.delete_route_table(RouteTableId=ident)
    elif kind == "vpc-endpoint":
        ec2.delete_vpc_endpoints(VpcEndpointIds=[ident])
    elif kind == "vpc-flow-log":
        ec2.delete_flow_logs(FlowLogIds=[ident])
    elif kind == "network-acl":
        ec2.delete_network_acl(NetworkAclId=ident)
    else:
        raise ValueError(kind)


def sweep(sandbox: Sandbox, arns: list[str], passes: int = 4) -> dict[str, str]:
    """Delete these resources (a few passes for dependencies); {arn: last error} of the rest."""
    pending = list(arns)
    errors: dict[str, str] = {}
    for _ in range(passes):
        if not pending:
            break
        still: list[str] = []
        for arn in pending:
            try:
                _delete(sandbox, arn)
                errors.pop(arn, None)
            except Exception as exc:
                errors[arn] = f"{type(exc).__name__}: {str(exc)[:200]}"
                still.append(arn)
        if len(still) == len(pending):
            break
        pending = still
    with contextlib.suppress(Exception):
        for arn in list(errors):
            if arn not in pending:
                errors.pop(arn)
    return errors
