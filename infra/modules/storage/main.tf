locals {
  documents_kms      = var.documents_sse_algorithm == "aws:kms"
  replica_uses_kms   = var.replica_kms_key_arn != null
  replica_log_bucket = "${var.replica_bucket_name}-access-logs"
}

################################################################################
# Access-log bucket (S3 server access logs need SSE-S3 on the target bucket)
################################################################################

resource "aws_s3_bucket" "access_logs" {
  bucket        = var.access_logs_bucket_name
  acl           = "log-delivery-write"
  force_destroy = var.force_destroy

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }

  lifecycle_rule {
    id      = "expire-access-logs"
    enabled = true

    expiration {
      days = var.access_logs_expiration_days
    }

    noncurrent_version_expiration {
      days = 30
    }
  }

  tags = merge(var.tags, { Name = var.access_logs_bucket_name })
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.access_logs.arn, "${aws_s3_bucket.access_logs.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}

################################################################################
# Documents bucket
################################################################################

resource "aws_s3_bucket" "documents" {
  bucket        = var.documents_bucket_name
  acl           = "private"
  force_destroy = var.force_destroy

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = var.documents_sse_algorithm
        kms_master_key_id = local.documents_kms ? var.documents_kms_key_arn : null
      }
    }
  }

  logging {
    target_bucket = aws_s3_bucket.access_logs.id
    target_prefix = "s3/${var.documents_bucket_name}/"
  }

  dynamic "replication_configuration" {
    for_each = var.replication_enabled ? [1] : []

    content {
      role = aws_iam_role.replication[0].arn

      rules {
        # V1 rule (empty prefix = every object, delete markers replicated).
        id     = "replicate-all-to-${var.replica_region}"
        status = "Enabled"
        prefix = ""

        destination {
          bucket             = aws_s3_bucket.replica[0].arn
          storage_class      = var.replica_storage_class
          replica_kms_key_id = local.replica_uses_kms ? var.replica_kms_key_arn : null
        }

        dynamic "source_selection_criteria" {
          for_each = local.documents_kms ? [1] : []

          content {
            sse_kms_encrypted_objects {
              enabled = true
            }
          }
        }
      }
    }
  }

  tags = merge(var.tags, { Name = var.documents_bucket_name })

  lifecycle {
    precondition {
      condition     = !(var.replication_enabled && local.documents_kms && !local.replica_uses_kms)
      error_message = "Replicating SSE-KMS documents needs replica_kms_key_arn (a key in the replica region)."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "documents" {
  bucket = aws_s3_bucket.documents.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "documents" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.documents.arn, "${aws_s3_bucket.documents.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "documents" {
  bucket = aws_s3_bucket.documents.id
  policy = data.aws_iam_policy_document.documents.json

  depends_on = [aws_s3_bucket_public_access_block.documents]
}

################################################################################
# Cross-region replica (optional) — created through the aws.replica provider
################################################################################

resource "aws_s3_bucket" "replica_access_logs" {
  count    = var.replication_enabled ? 1 : 0
  provider = aws.replica

  bucket        = local.replica_log_bucket
  acl           = "log-delivery-write"
  force_destroy = var.force_destroy

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm = "AES256"
      }
    }
  }

  lifecycle_rule {
    id      = "expire-access-logs"
    enabled = true

    expiration {
      days = var.access_logs_expiration_days
    }

    noncurrent_version_expiration {
      days = 30
    }
  }

  tags = merge(var.tags, { Name = local.replica_log_bucket })
}

resource "aws_s3_bucket_public_access_block" "replica_access_logs" {
  count    = var.replication_enabled ? 1 : 0
  provider = aws.replica

  bucket = aws_s3_bucket.replica_access_logs[0].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "replica_access_logs" {
  count = var.replication_enabled ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.replica_access_logs[0].arn, "${aws_s3_bucket.replica_access_logs[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "replica_access_logs" {
  count    = var.replication_enabled ? 1 : 0
  provider = aws.replica

  bucket = aws_s3_bucket.replica_access_logs[0].id
  policy = data.aws_iam_policy_document.replica_access_logs[0].json

  depends_on = [aws_s3_bucket_public_access_block.replica_access_logs]
}

resource "aws_s3_bucket" "replica" {
  count    = var.replication_enabled ? 1 : 0
  provider = aws.replica

  bucket        = var.replica_bucket_name
  acl           = "private"
  force_destroy = var.force_destroy

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = local.replica_uses_kms ? "aws:kms" : "AES256"
        kms_master_key_id = local.replica_uses_kms ? var.replica_kms_key_arn : null
      }
    }
  }

  logging {
    target_bucket = aws_s3_bucket.replica_access_logs[0].id
    target_prefix = "s3/${var.replica_bucket_name}/"
  }

  tags = merge(var.tags, { Name = var.replica_bucket_name })
}

resource "aws_s3_bucket_public_access_block" "replica" {
  count    = var.replication_enabled ? 1 : 0
  provider = aws.replica

  bucket = aws_s3_bucket.replica[0].id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

data "aws_iam_policy_document" "replica" {
  count = var.replication_enabled ? 1 : 0

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.replica[0].arn, "${aws_s3_bucket.replica[0].arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "replica" {
  count    = var.replication_enabled ? 1 : 0
  provider = aws.replica

  bucket = aws_s3_bucket.replica[0].id
  policy = data.aws_iam_policy_document.replica[0].json

  depends_on = [aws_s3_bucket_public_access_block.replica]
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
    resources = [aws_s3_bucket.documents.arn]
  }

  statement {
    sid    = "ReadSourceObjects"
    effect = "Allow"
    actions = [
      "s3:GetObjectVersionForReplication",
      "s3:GetObjectVersionAcl",
      "s3:GetObjectVersionTagging",
    ]
    resources = ["${aws_s3_bucket.documents.arn}/*"]
  }

  statement {
    sid    = "WriteReplicaObjects"
    effect = "Allow"
    actions = [
      "s3:ReplicateObject",
      "s3:ReplicateDelete",
      "s3:ReplicateTags",
    ]
    resources = ["${aws_s3_bucket.replica[0].arn}/*"]
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
