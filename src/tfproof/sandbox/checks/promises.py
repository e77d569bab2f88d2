"""Other promises the APIs show: encryption, public access, trail, retention, scans, tags."""

from __future__ import annotations

from typing import Any

from tfproof.sandbox.checks.base import LiveContext
from tfproof.sandbox.livecheck import LiveCheck, outcome
from tfproof.sandbox.records import RUN_TAG

REQUIRED_TAGS = ("Environment", "Project")  # control TAGS (policies/catalog.yaml)


def encryption_at_rest(ctx: LiveContext) -> list[LiveCheck]:
    """ENC-REST: S3 default encryption, RDS storage, SNS topics, the trail, ECR repositories."""
    out: list[LiveCheck] = []
    s3 = ctx.client("s3")
    for res in ctx.resources("aws_s3_bucket"):
        try:
            rules = s3.get_bucket_encryption(Bucket=res.values["bucket"])[
                "ServerSideEncryptionConfiguration"]["Rules"]
            algos = [r["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] for r in rules]
        except s3.exceptions.ClientError:
            algos = []
        out.append(outcome("S3 encrypted at rest", "ENC-REST",
                           any(a in ("AES256", "aws:kms") for a in algos),
                           f"default encryption {algos or 'none'}", res.address))  # fmt: skip
    for res in ctx.resources("aws_db_instance"):
        db = ctx.client("rds").describe_db_instances(
            DBInstanceIdentifier=res.values["identifier"])["DBInstances"][0]
        out.append(outcome("RDS encrypted at rest", "ENC-REST", bool(db.get("StorageEncrypted")),
                           f"StorageEncrypted={db.get('StorageEncrypted')}", res.address))
    for res in ctx.resources("aws_sns_topic"):
        attrs = ctx.client("sns").get_topic_attributes(TopicArn=res.values["arn"])["Attributes"]
        out.append(outcome("SNS topic encrypted", "ENC-REST", bool(attrs.get("KmsMasterKeyId")),
                           f"KmsMasterKeyId={'set' if attrs.get('KmsMasterKeyId') else 'none'}",
                           res.address))  # fmt: skip
    for res in ctx.resources("aws_cloudtrail"):
        trail = ctx.client("cloudtrail").describe_trails(
            trailNameList=[res.values["name"]])["trailList"][0]
        out.append(outcome("CloudTrail logs encrypted", "ENC-REST", bool(trail.get("KmsKeyId")),
                           f"KmsKeyId={'set' if trail.get('KmsKeyId') else 'none'}",
                           res.address))  # fmt: skip
    for res in ctx.resources("aws_ecr_repository"):
        repo = ctx.client("ecr").describe_repositories(
            repositoryNames=[res.values["name"]])["repositories"][0]
        kind = repo.get("encryptionConfiguration", {}).get("encryptionType")
        out.append(outcome("ECR repository encrypted", "ENC-REST", kind in ("AES256", "KMS"),
                           f"encryptionType={kind}", res.address))  # fmt: skip
    return out


def public_access_blocked(ctx: LiveContext) -> list[LiveCheck]:
    """NET-PRIVATE: every bucket blocks public access; databases are not publicly accessible."""
    out: list[LiveCheck] = []
    s3 = ctx.client("s3")
    for res in ctx.resources("aws_s3_bucket"):
        try:
            block = s3.get_public_access_block(Bucket=res.values["bucket"])[
                "PublicAccessBlockConfiguration"]
        except s3.exceptions.ClientError:
            block = {}
        flags = ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                 "RestrictPublicBuckets")  # fmt: skip
        missing = [f for f in flags if not block.get(f)]
        out.append(outcome("S3 public access blocked", "NET-PRIVATE", not missing,
                           f"not set: {', '.join(missing)}" if missing else "all four blocks on",
                           res.address))  # fmt: skip
    for res in ctx.resources("aws_db_instance"):
        db = ctx.client("rds").describe_db_instances(
            DBInstanceIdentifier=res.values["identifier"])["DBInstances"][0]
        out.append(outcome("RDS not public", "NET-PRIVATE", not db.get("PubliclyAccessible"),
                           f"PubliclyAccessible={db.get('PubliclyAccessible')}", res.address))
    return out


def cloudtrail_logging(ctx: LiveContext) -> list[LiveCheck]:
    """TRAIL: the trail is logging, multi-region, with global events and log file validation."""
    out: list[LiveCheck] = []
    ct = ctx.client("cloudtrail")
    for res in ctx.resources("aws_cloudtrail"):
        trail = ct.describe_trails(trailNameList=[res.values["name"]])["trailList"][0]
        status = ct.get_trail_status(Name=res.values["name"])
        wanted = {
            "logging": bool(status.get("IsLogging")),
            "multi-region": bool(trail.get("IsMultiRegionTrail")),
            "global service events": bool(trail.get("IncludeGlobalServiceEvents")),
            "log file validation": bool(trail.get("LogFileValidationEnabled")),
        }
        off = [k for k, v in wanted.items() if not v]
        out.append(outcome("CloudTrail logging", "TRAIL", not off,
                           f"off: {', '.join(off)}" if off else ", ".join(wanted),
                           res.address))  # fmt: skip
    return out or [outcome("CloudTrail logging", "TRAIL", False, "no trail applied")]


def log_retention(ctx: LiveContext) -> list[LiveCheck]:
    """LOG-RETENTION: every log group has the planned, finite retention."""
    out: list[LiveCheck] = []
    logs = ctx.client("logs")
    for res in ctx.resources("aws_cloudwatch_log_group"):
        name = res.values["name"]
        groups = logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"]
        group = next((g for g in groups if g["logGroupName"] == name), {})
        days = group.get("retentionInDays")
        planned = res.values.get("retention_in_days")
        ok = bool(days) and (not planned or days == planned)
        out.append(outcome("log group retention", "LOG-RETENTION", ok,
                           f"retention {days or 'never expires'} days (planned {planned})",
                           res.address))  # fmt: skip
    return out


def ecr_scan_on_push(ctx: LiveContext) -> list[LiveCheck]:
    """IMAGE-SCAN-PUSH: every repository scans images on push."""
    out: list[LiveCheck] = []
    for res in ctx.resources("aws_ecr_repository"):
        repo = ctx.client("ecr").describe_repositories(
            repositoryNames=[res.values["name"]])["repositories"][0]
        scan = repo.get("imageScanningConfiguration", {}).get("scanOnPush")
        out.append(outcome("ECR scan on push", "IMAGE-SCAN-PUSH", bool(scan),
                           f"scanOnPush={scan}", res.address))  # fmt: skip
    return out


def _tags_by_api(ctx: LiveContext, arns: list[str]) -> dict[str, dict[str, str]]:
    """Tags of these ARNs through the resource groups tagging API (by region, 100 at a time)."""
    found: dict[str, dict[str, str]] = {}
    by_region: dict[str, list[str]] = {}
    for arn in arns:
        by_region.setdefault(arn.split(":")[3] or ctx.sandbox.region, []).append(arn)
    for region, items in by_region.items():
        client = ctx.client("resourcegroupstaggingapi", region=region)
        for start in range(0, len(items), 100):
            pages = client.get_paginator("get_resources").paginate(
                ResourceARNList=items[start : start + 100])
            for page in pages:
                for m in page.get("ResourceTagMappingList", []):
                    found[m["ResourceARN"]] = {t["Key"]: t["Value"] for t in m.get("Tags", [])}
    return found


def _tags_by_service(ctx: LiveContext, res: Any) -> dict[str, str] | None:
    """Service-specific tag read-back for what the tagging API does not list (moto: IAM, ECR...)."""
    arn = res.values.get("arn", "")
    try:
        if res.type == "aws_ecr_repository":
            tags = ctx.client("ecr").list_tags_for_resource(resourceArn=arn)["tags"]
        elif res.type == "aws_iam_role":
            tags = ctx.client("iam").list_role_tags(RoleName=res.values["name"])["Tags"]
        elif res.type == "aws_cloudtrail":
            tags = ctx.client("cloudtrail").list_tags(ResourceIdList=[arn])[
                "ResourceTagList"][0].get("TagsList", [])
        elif res.type == "aws_kms_key":
            tags = [{"Key": t["TagKey"], "Value": t["TagValue"]} for t in
                    ctx.client("kms").list_resource_tags(KeyId=res.values["key_id"])["Tags"]]
        elif res.type == "aws_iam_policy":
            tags = ctx.client("iam").list_policy_tags(PolicyArn=arn)["Tags"]
        elif res.type in ("aws_vpc_endpoint", "aws_flow_log"):  # any EC2 id: DescribeTags
            tags = ctx.client("ec2").describe_tags(
                Filters=[{"Name": "resource-id", "Values": [res.values["id"]]}])["Tags"]
        elif res.type.startswith("aws_db_"):
            tags = ctx.client("rds").list_tags_for_resource(ResourceName=arn)["TagList"]
        elif res.type == "aws_xray_sampling_rule":
            tags = ctx.client("xray").list_tags_for_resource(ResourceARN=arn)["Tags"]
        else:
            return None
    except Exception:
        return None
    return {t["Key"]: t["Value"] for t in tags}


def tags_on_everything(ctx: LiveContext) -> list[LiveCheck]:
    """TAGS: every created taggable resource carries Environment, Project and the run tag."""
    taggable = [r for r in ctx.resources() if isinstance(r.values.get("tags_all"), dict)
                and str(r.values.get("arn", "")).startswith("arn:")]  # fmt: skip
    api = _tags_by_api(ctx, [r.values["arn"] for r in taggable])
    out: list[LiveCheck] = []
    unreadable = []
    for res in taggable:
        tags = api.get(res.values["arn"]) or _tags_by_service(ctx, res)
        if tags is None:
            unreadable.append(res.address)
            continue
        missing = [k for k in REQUIRED_TAGS if not tags.get(k)]
        if tags.get(RUN_TAG) != ctx.run_id:
            missing.append(f"{RUN_TAG}={ctx.run_id}")
        out.append(outcome("tags on created resource", "TAGS", not missing,
                           f"missing {', '.join(missing)}" if missing else "all tags present",
                           res.address))  # fmt: skip
    if unreadable:
        out.append(LiveCheck(
            "tags readable through the API", "TAGS", "skipped",
            f"{len(unreadable)} resource(s) whose tags this sandbox's APIs cannot read back "
            f"(tags_all is in the state; the plan layer checks them): {', '.join(unreadable[:8])}"
            + (" ..." if len(unreadable) > 8 else ""),
        ))  # fmt: skip
    return out
