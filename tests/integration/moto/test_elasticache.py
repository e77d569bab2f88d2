"""ElastiCache parameter groups, replication groups, snapshots and tags on the embedded server.

(tfproof.sandbox.moto_ext.elasticache) boto3 against a running server, then the
platform's Redis module (infra/modules/redis) applied by the bundled Terraform AWS
provider: created, read back without drift and destroyed without leftovers.
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

pytestmark = pytest.mark.integration

ARN = "arn:aws:elasticache:us-east-1:123456789012"
KMS = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


def _expect(item: dict, expected: dict) -> None:
    """The listed fields of a described resource have exactly these values."""
    assert {key: item.get(key) for key in expected} == expected


@pytest.fixture(scope="module")
def ec(aws):
    return aws("elasticache", region="us-east-1")


@pytest.fixture(scope="module")
def network(aws):
    """A VPC with private subnets in us-east-1a and us-east-1b and a security group."""
    ec2 = aws("ec2", region="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.40.{i}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for i, zone in enumerate(("us-east-1a", "us-east-1b"))
    ]
    sg = ec2.create_security_group(GroupName="redis", Description="redis", VpcId=vpc)["GroupId"]
    return {"vpc": vpc, "subnets": subnets, "sg": sg}


def _redis(ec, network, rid: str, **extra) -> dict:
    """The module's replication group: subnet and parameter group, TLS, AUTH, KMS, failover."""
    ec.create_cache_subnet_group(
        CacheSubnetGroupName=rid, CacheSubnetGroupDescription="private",
        SubnetIds=network["subnets"],
    )  # fmt: skip
    ec.create_cache_parameter_group(
        CacheParameterGroupName=f"{rid}-redis6", CacheParameterGroupFamily="redis6.x",
        Description="params",
    )  # fmt: skip
    settings = dict(
        ReplicationGroupId=rid, ReplicationGroupDescription="cache", Engine="redis",
        EngineVersion="6.x", CacheNodeType="cache.t3.micro", NumCacheClusters=2,
        CacheParameterGroupName=f"{rid}-redis6", CacheSubnetGroupName=rid,
        SecurityGroupIds=[network["sg"]], AtRestEncryptionEnabled=True, KmsKeyId=KMS,
        TransitEncryptionEnabled=True, AuthToken="a-sandbox-auth-token-0123",
        AutomaticFailoverEnabled=True, MultiAZEnabled=True, SnapshotRetentionLimit=7,
        SnapshotWindow="04:00-05:00", PreferredMaintenanceWindow="SUN:06:00-SUN:07:00",
        Tags=[{"Key": "Name", "Value": rid}],
    )  # fmt: skip
    return ec.create_replication_group(**{**settings, **extra})["ReplicationGroup"]


def test_parameter_groups_exist_per_family_and_keep_user_changes(ec):
    created = ec.create_cache_parameter_group(
        CacheParameterGroupName="Tuned-Redis", CacheParameterGroupFamily="redis6.x",
        Description="tuned",
    )["CacheParameterGroup"]  # fmt: skip
    assert created == {
        "CacheParameterGroupName": "tuned-redis", "CacheParameterGroupFamily": "redis6.x",
        "Description": "tuned", "IsGlobal": False, "ARN": f"{ARN}:parametergroup:tuned-redis",
    }  # fmt: skip
    names = [g["CacheParameterGroupName"] for g in ec.describe_cache_parameter_groups()[
        "CacheParameterGroups"]]  # fmt: skip
    assert {"default.redis6.x", "default.redis7", "tuned-redis"} <= set(names)
    assert ec.describe_cache_parameters(CacheParameterGroupName="tuned-redis", Source="user")[
        "Parameters"] == []  # fmt: skip
    changes = [{"ParameterName": "maxmemory-policy", "ParameterValue": "allkeys-lru"},
               {"ParameterName": "timeout", "ParameterValue": "300"}]  # fmt: skip
    ec.modify_cache_parameter_group(
        CacheParameterGroupName="tuned-redis", ParameterNameValues=changes
    )
    user = ec.describe_cache_parameters(CacheParameterGroupName="tuned-redis", Source="user")
    assert [(p["ParameterName"], p["ParameterValue"], p["Source"]) for p in user["Parameters"]] \
        == [("maxmemory-policy", "allkeys-lru", "user"), ("timeout", "300", "user")]  # fmt: skip
    every = ec.describe_cache_parameters(CacheParameterGroupName="tuned-redis")["Parameters"]
    assert {p["ParameterName"]: p["ParameterValue"] for p in every}["tcp-keepalive"] == "300"
    ec.reset_cache_parameter_group(
        CacheParameterGroupName="tuned-redis", ParameterNameValues=[{"ParameterName": "timeout"}]
    )
    user = ec.describe_cache_parameters(CacheParameterGroupName="tuned-redis", Source="user")
    assert [p["ParameterName"] for p in user["Parameters"]] == ["maxmemory-policy"]
    ec.reset_cache_parameter_group(CacheParameterGroupName="tuned-redis", ResetAllParameters=True)
    assert ec.describe_cache_parameters(CacheParameterGroupName="tuned-redis", Source="user")[
        "Parameters"] == []  # fmt: skip
    ec.delete_cache_parameter_group(CacheParameterGroupName="tuned-redis")
    with pytest.raises(ClientError) as error:
        ec.describe_cache_parameter_groups(CacheParameterGroupName="tuned-redis")
    assert _code(error) == "CacheParameterGroupNotFound"
    assert error.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_parameter_group_errors(ec):
    ec.create_cache_parameter_group(
        CacheParameterGroupName="dup", CacheParameterGroupFamily="redis7", Description="d"
    )
    calls = [
        (ec.create_cache_parameter_group, {"CacheParameterGroupName": "dup",
         "CacheParameterGroupFamily": "redis7", "Description": "d"},
         "CacheParameterGroupAlreadyExists"),
        (ec.create_cache_parameter_group, {"CacheParameterGroupName": "x",
         "CacheParameterGroupFamily": "redis9.9", "Description": "d"}, "InvalidParameterValue"),
        (ec.modify_cache_parameter_group, {"CacheParameterGroupName": "dup", "ParameterNameValues":
         [{"ParameterName": "maxclients", "ParameterValue": "10"}]}, "InvalidParameterValue"),
        (ec.modify_cache_parameter_group, {"CacheParameterGroupName": "dup", "ParameterNameValues":
         [{"ParameterName": "maxmemory-policy", "ParameterValue": "lru-please"}]},
         "InvalidParameterValue"),
        (ec.modify_cache_parameter_group, {"CacheParameterGroupName": "default.redis7",
         "ParameterNameValues": [{"ParameterName": "timeout", "ParameterValue": "30"}]},
         "InvalidCacheParameterGroupState"),
        (ec.delete_cache_parameter_group, {"CacheParameterGroupName": "default.redis7"},
         "InvalidCacheParameterGroupState"),
        (ec.delete_cache_parameter_group, {"CacheParameterGroupName": "nope"},
         "CacheParameterGroupNotFound"),
        (ec.describe_cache_parameters, {"CacheParameterGroupName": "nope"},
         "CacheParameterGroupNotFound"),
    ]  # fmt: skip
    for call, kwargs, code in calls:
        with pytest.raises(ClientError) as error:
            call(**kwargs)
        assert _code(error) == code, kwargs


def test_replication_group_registers_its_member_clusters(ec, network):
    group = _redis(ec, network, "members")
    assert group["MemberClusters"] == ["members-001", "members-002"]
    [described] = ec.describe_replication_groups(ReplicationGroupId="members")["ReplicationGroups"]
    _expect(described, {
        "Status": "available", "AtRestEncryptionEnabled": True, "KmsKeyId": KMS,
        "TransitEncryptionEnabled": True, "AuthTokenEnabled": True,
        "AutomaticFailover": "enabled", "MultiAZ": "enabled", "SnapshotRetentionLimit": 7,
        "SnapshotWindow": "04:00-05:00", "ClusterEnabled": False})  # fmt: skip
    [node_group] = described["NodeGroups"]
    assert node_group["PrimaryEndpoint"]["Address"].startswith("master.members.")
    assert node_group["ReaderEndpoint"] == {
        "Address": node_group["PrimaryEndpoint"]["Address"].replace("master.", "replica.", 1),
        "Port": 6379}  # fmt: skip
    assert [
        (m["CacheClusterId"], m["CurrentRole"], m["PreferredAvailabilityZone"])
        for m in node_group["NodeGroupMembers"]
    ] == [("members-001", "primary", "us-east-1a"), ("members-002", "replica", "us-east-1b")]
    clusters = ec.describe_cache_clusters(ShowCacheNodeInfo=True)["CacheClusters"]
    mine = {c["CacheClusterId"]: c for c in clusters if c.get("ReplicationGroupId") == "members"}
    assert sorted(mine) == ["members-001", "members-002"]
    replica = mine["members-002"]
    _expect(replica, {
        "Engine": "redis", "EngineVersion": "6.2.6", "CacheNodeType": "cache.t3.micro",
        "CacheClusterStatus": "available", "AtRestEncryptionEnabled": True,
        "TransitEncryptionEnabled": True, "AuthTokenEnabled": True,
        "CacheSubnetGroupName": "members", "PreferredAvailabilityZone": "us-east-1b",
        "SnapshotRetentionLimit": 7, "PreferredMaintenanceWindow": "sun:06:00-sun:07:00",
    })  # fmt: skip
    assert replica["SecurityGroups"] == [{"SecurityGroupId": network["sg"], "Status": "active"}]
    assert replica["CacheParameterGroup"]["CacheParameterGroupName"] == "members-redis6"
    assert replica["CacheNodes"][0]["Endpoint"]["Port"] == 6379
    tags = ec.list_tags_for_resource(ResourceName=f"{ARN}:cluster:members-001")["TagList"]
    assert tags == [{"Key": "Name", "Value": "members"}]


def test_replication_group_defaults_and_create_errors(ec, network):
    group = ec.create_replication_group(
        ReplicationGroupId="Plain", ReplicationGroupDescription="d", CacheNodeType="cache.t3.micro"
    )["ReplicationGroup"]  # fmt: skip
    assert group["ReplicationGroupId"] == "plain" and group["MemberClusters"] == ["plain-001"]
    [primary] = ec.describe_cache_clusters(CacheClusterId="plain-001")["CacheClusters"]
    assert primary["EngineVersion"] == "7.1.0"
    assert primary["CacheParameterGroup"]["CacheParameterGroupName"] == "default.redis7"
    base = {"ReplicationGroupDescription": "d", "CacheNodeType": "cache.t3.micro"}
    for extra, code in (
        ({"CacheParameterGroupName": "missing"}, "CacheParameterGroupNotFound"),
        ({"CacheSubnetGroupName": "missing"}, "CacheSubnetGroupNotFoundFault"),
        ({"AuthToken": "short", "TransitEncryptionEnabled": True}, "InvalidParameterValue"),
    ):
        with pytest.raises(ClientError) as error:
            ec.create_replication_group(ReplicationGroupId="broken", **base, **extra)
        assert _code(error) == code, extra
    assert "broken" not in {
        g["ReplicationGroupId"] for g in ec.describe_replication_groups()["ReplicationGroups"]
    }


def test_delete_finishes_takes_a_final_snapshot_and_frees_the_groups(ec, network):
    _redis(ec, network, "gone")
    automatic = ec.describe_snapshots(ReplicationGroupId="gone", SnapshotSource="system")
    [auto] = automatic["Snapshots"]
    assert auto["SnapshotName"].startswith("automatic.gone-")
    assert (auto["SnapshotSource"], auto["KmsKeyId"]) == ("automated", KMS)
    for call, kwargs, code in (
        (ec.delete_cache_subnet_group, {"CacheSubnetGroupName": "gone"}, "CacheSubnetGroupInUse"),
        (ec.delete_cache_parameter_group, {"CacheParameterGroupName": "gone-redis6"},
         "InvalidCacheParameterGroupState"),
        (ec.delete_replication_group, {"ReplicationGroupId": "gone",
         "FinalSnapshotIdentifier": auto["SnapshotName"]}, "SnapshotAlreadyExistsFault"),
    ):  # fmt: skip
        with pytest.raises(ClientError) as error:
            call(**kwargs)
        assert _code(error) == code
    deleted = ec.delete_replication_group(ReplicationGroupId="gone", FinalSnapshotIdentifier="last")
    assert deleted["ReplicationGroup"]["Status"] == "deleting"
    for call, kwargs, code in (
        (ec.describe_replication_groups, {"ReplicationGroupId": "gone"},
         "ReplicationGroupNotFoundFault"),
        (ec.describe_cache_clusters, {"CacheClusterId": "gone-002"}, "CacheClusterNotFound"),
        (ec.describe_snapshots, {"SnapshotName": auto["SnapshotName"]}, "SnapshotNotFoundFault"),
        (ec.list_tags_for_resource, {"ResourceName": f"{ARN}:replicationgroup:gone"},
         "ReplicationGroupNotFoundFault"),
    ):  # fmt: skip
        with pytest.raises(ClientError) as error:
            call(**kwargs)
        assert _code(error) == code
    [final] = ec.describe_snapshots(SnapshotName="last")["Snapshots"]
    assert (final["SnapshotSource"], final["ReplicationGroupId"]) == ("manual", "gone")
    assert final["VpcId"] == network["vpc"]
    ec.delete_cache_subnet_group(CacheSubnetGroupName="gone")
    ec.delete_cache_parameter_group(CacheParameterGroupName="gone-redis6")
    with pytest.raises(ClientError) as error:
        ec.delete_cache_subnet_group(CacheSubnetGroupName="gone")
    assert _code(error) == "CacheSubnetGroupNotFoundFault"


def test_retain_primary_cluster_keeps_it_standalone(ec, network):
    _redis(ec, network, "keep")
    ec.delete_replication_group(ReplicationGroupId="keep", RetainPrimaryCluster=True)
    [kept] = ec.describe_cache_clusters(CacheClusterId="keep-001")["CacheClusters"]
    assert "ReplicationGroupId" not in kept
    with pytest.raises(ClientError) as error:
        ec.describe_cache_clusters(CacheClusterId="keep-002")
    assert _code(error) == "CacheClusterNotFound"


def test_manual_snapshots_of_a_group_and_of_a_member(ec, network):
    _redis(ec, network, "snaps")
    ec.create_snapshot(ReplicationGroupId="snaps", SnapshotName="by-group")
    ec.create_snapshot(CacheClusterId="snaps-002", SnapshotName="by-member")
    manual = ec.describe_snapshots(SnapshotSource="user")["Snapshots"]
    assert {"by-group", "by-member"} <= {s["SnapshotName"] for s in manual}
    assert all(s["SnapshotSource"] == "manual" for s in manual)
    by_member = ec.describe_snapshots(CacheClusterId="snaps-002")["Snapshots"]
    assert [s["SnapshotName"] for s in by_member] == ["by-member"]
    assert by_member[0]["ReplicationGroupId"] == "snaps"
    of_group = {s["SnapshotName"] for s in ec.describe_snapshots(ReplicationGroupId="snaps")[
        "Snapshots"]}  # fmt: skip
    assert {"by-group", "by-member"} <= of_group and len(of_group) == 3  # + the automatic one
    ec.delete_snapshot(SnapshotName="by-group")
    with pytest.raises(ClientError) as error:
        ec.delete_snapshot(SnapshotName="by-group")
    assert _code(error) == "SnapshotNotFoundFault"


def test_tags_by_arn_and_the_tagging_api(aws, ec, network):
    _redis(ec, network, "tagged")
    pg = f"{ARN}:parametergroup:tagged-redis6"
    ec.add_tags_to_resource(ResourceName=pg, Tags=[{"Key": "Owner", "Value": "platform"}])
    assert ec.list_tags_for_resource(ResourceName=pg)["TagList"] == [
        {"Key": "Owner", "Value": "platform"}]  # fmt: skip
    ec.remove_tags_from_resource(ResourceName=pg, TagKeys=["Owner"])
    assert ec.list_tags_for_resource(ResourceName=pg)["TagList"] == []
    for arn, code in ((f"{ARN}:cluster:nope-001", "CacheClusterNotFound"),
                      (f"{ARN}:parametergroup:nope", "CacheParameterGroupNotFound"),
                      ("not-an-arn", "InvalidARN")):  # fmt: skip
        with pytest.raises(ClientError) as error:
            ec.list_tags_for_resource(ResourceName=arn)
        assert _code(error) == code
    tagging = aws("resourcegroupstaggingapi", region="us-east-1")
    found = {
        m["ResourceARN"]
        for m in tagging.get_resources(TagFilters=[{"Key": "Name", "Values": ["tagged"]}])[
            "ResourceTagMappingList"
        ]
    }
    assert found == {f"{ARN}:replicationgroup:tagged", f"{ARN}:cluster:tagged-001",
                     f"{ARN}:cluster:tagged-002"}  # fmt: skip


def test_subnet_group_changes(ec, network):
    ec.create_cache_subnet_group(
        CacheSubnetGroupName="moving", CacheSubnetGroupDescription="old",
        SubnetIds=network["subnets"][:1],
    )  # fmt: skip
    group = ec.modify_cache_subnet_group(
        CacheSubnetGroupName="moving", CacheSubnetGroupDescription="new",
        SubnetIds=network["subnets"],
    )["CacheSubnetGroup"]  # fmt: skip
    assert group["CacheSubnetGroupDescription"] == "new"
    assert sorted(s["SubnetIdentifier"] for s in group["Subnets"]) == sorted(network["subnets"])


def test_guards_see_what_moto_525_lacks():
    """The probes run on a throwaway backend of this interpreter's (unpatched) moto."""
    from moto.elasticache.models import ElastiCacheBackend

    from tfproof.sandbox.moto_ext import elasticache

    assert elasticache._probe(ElastiCacheBackend) == (False, False)
    assert elasticache._tags_native(ElastiCacheBackend) is False
    assert not hasattr(ElastiCacheBackend, "create_cache_parameter_group")


# The provider 3.39.0 round trip of infra/modules/redis (create, read back, destroy) is the
# redis module example (tests/integration/test_modules_live.py), and the env's
# `test_plan_after_apply_shows_no_changes` proves no drift; a copy here cost 75 s of
# provider waits (30 s before each create and delete check) for nothing more.
