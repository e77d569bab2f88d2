locals {
  documents_kms      = var.documents_sse_algorithm == "aws:kms"
  replica_uses_kms   = var.replica_kms_key_arn != null
  replica_log_bucket = "${var.replica_bucket_name}-access-logs"

  access_log_lifecycle_rules = [{
    id                                 = "expire-access-logs"
    expiration_days                    = var.access_logs_expiration_days
    noncurrent_version_expiration_days = 30
  }]
}

################################################################################
# Access-log bucket (S3 server access logs need SSE-S3 on the target bucket)
################################################################################

module "access_logs" {
  source = "../s3-bucket"

  bucket_name     = var.access_logs_bucket_name
  acl             = "log-delivery-write"
  force_destroy   = var.force_destroy
  lifecycle_rules = local.access_log_lifecycle_rules

  tags = var.tags
}

################################################################################
# Documents bucket
################################################################################

module "documents" {
  source = "../s3-bucket"

  bucket_name       = var.documents_bucket_name
  force_destroy     = var.force_destroy
  sse_algorithm     = var.documents_sse_algorithm
  kms_master_key_id = var.documents_kms_key_arn
  logging           = { target_bucket = module.access_logs.bucket }

  replication_configuration = var.replication_enabled ? {
    role_arn                  = aws_iam_role.replication[0].arn
    rule_id                   = "replicate-all-to-${var.replica_region}"
    destination_bucket_arn    = module.replica[0].arn
    storage_class             = var.replica_storage_class
    replica_kms_key_id        = local.replica_uses_kms ? var.replica_kms_key_arn : null
    sse_kms_encrypted_objects = local.documents_kms
  } : null

  tags = var.tags
}

################################################################################
# Cross-region replica (optional) — created through the aws.replica provider
################################################################################

module "replica_access_logs" {
  source = "../s3-bucket"
  count  = var.replication_enabled ? 1 : 0

  providers = {
    aws = aws.replica
  }

  bucket_name     = local.replica_log_bucket
  acl             = "log-delivery-write"
  force_destroy   = var.force_destroy
  lifecycle_rules = local.access_log_lifecycle_rules

  tags = var.tags
}

module "replica" {
  source = "../s3-bucket"
  count  = var.replication_enabled ? 1 : 0

  providers = {
    aws = aws.replica
  }

  bucket_name       = var.replica_bucket_name
  force_destroy     = var.force_destroy
  sse_algorithm     = local.replica_uses_kms ? "aws:kms" : "AES256"
  kms_master_key_id = var.replica_kms_key_arn
  logging           = { target_bucket = module.replica_access_logs[0].bucket }

  tags = var.tags
}

################################################################################
# Replication role
################################################################################

data "aws_iam_policy_document" "replication_assume" {
  statement {
    sid     = "S3ReplicationAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["s3.amazonaws.com"]
    }

    dynamic "condition" {
      for_each = var.account_id == null ? [] : [var.account_id]

      content {
        test     = "StringEquals"
        variable = "aws:SourceAccount"
        values   = [condition.value]
      }
    }
  }
}

resource "aws_iam_role" "replication" {
  count = var.replication_enabled ? 1 : 0

  name               = "${var.name}-s3-replication"
  assume_role_policy = data.aws_iam_policy_document.replication_assume.json

  tags = merge(var.tags, { Name = "${var.name}-s3-replication" })
}

data "aws_iam_policy_document" "replication" {
  count = var.replication_enabled ? 1 : 0

  statement {
    sid       = "ReadReplicationConfiguration"
    effect    = "Allow"
    actions   = ["s3:GetReplicationConfiguration", "s3:ListBucket"]
    resources = [module.documents.arn]
  }

  statement {
    sid    = "ReadSourceObjects"
    effect = "Allow"
    actions = [
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionTagging",
    ]
    resources = ["${module.documents.arn}/*"]
  }

  statement {
    sid    = "WriteReplicaObjects"
    effect = "Allow"
    actions = [
      "s3:ReplicateObject",
      "s3:ReplicateDelete",
      "s3:ReplicateTags",
    ]
    resources = ["${module.replica[0].arn}/*"]
  }

  dynamic "statement" {
    for_each = local.documents_kms ? [var.documents_kms_key_arn] : []

    content {
      sid       = "DecryptSourceObjects"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [statement.value]
    }
  }

  dynamic "statement" {
    for_each = local.replica_uses_kms ? [var.replica_kms_key_arn] : []

    content {
      sid       = "EncryptReplicaObjects"
      effect    = "Allow"
      actions   = ["kms:Encrypt", "kms:GenerateDataKey"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "replication" {
  count = var.replication_enabled ? 1 : 0

  name   = "${var.name}-s3-replication"
  role   = aws_iam_role.replication[0].id
  policy = data.aws_iam_policy_document.replication[0].json
}

################################################################################
# State moves: the buckets now live in ../s3-bucket
################################################################################

moved {
  from = aws_s3_bucket.access_logs
  to   = module.access_logs.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.access_logs
  to   = module.access_logs.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.access_logs
  to   = module.access_logs.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket.documents
  to   = module.documents.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.documents
  to   = module.documents.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.documents
  to   = module.documents.aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket.replica_access_logs[0]
  to   = module.replica_access_logs[0].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.replica_access_logs[0]
  to   = module.replica_access_logs[0].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.replica_access_logs[0]
  to   = module.replica_access_logs[0].aws_s3_bucket_policy.this
}

moved {
  from = aws_s3_bucket.replica[0]
  to   = module.replica[0].aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.replica[0]
  to   = module.replica[0].aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.replica[0]
  to   = module.replica[0].aws_s3_bucket_policy.this
}
