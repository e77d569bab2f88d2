locals {
  trail_arn          = "arn:${var.partition}:cloudtrail:${var.region}:${var.account_id}:trail/${var.name}"
  cloudwatch_enabled = var.cloudwatch_logs_enabled
  log_group_name     = "/aws/cloudtrail/${var.name}"
}

################################################################################
# KMS key for the trail
################################################################################

data "aws_iam_policy_document" "kms" {
  statement {
    sid       = "AccountRootAdministersKey"
    effect    = "Allow"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }
  }

  statement {
    sid       = "CloudTrailEncryptLogs"
    effect    = "Allow"
    actions   = ["kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:${var.partition}:cloudtrail:*:${var.account_id}:trail/*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "CloudTrailDescribeKey"
    effect    = "Allow"
    actions   = ["kms:DescribeKey"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }
  }

  statement {
    sid       = "AccountPrincipalsDecryptLogs"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:ReEncryptFrom"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${var.partition}:iam::${var.account_id}:root"]
    }

    condition {
      test     = "StringEquals"
      variable = "kms:CallerAccount"
      values   = [var.account_id]
    }

    condition {
      test     = "StringLike"
      variable = "kms:EncryptionContext:aws:cloudtrail:arn"
      values   = ["arn:${var.partition}:cloudtrail:*:${var.account_id}:trail/*"]
    }
  }

  dynamic "statement" {
    for_each = local.cloudwatch_enabled ? [1] : []

    content {
      sid    = "CloudWatchLogsUseKey"
      effect = "Allow"
      actions = [
        "kms:Encrypt*",
        "kms:Decrypt*",
        "kms:ReEncrypt*",
        "kms:GenerateDataKey*",
        "kms:Describe*",
      ]
      resources = ["*"]

      principals {
        type        = "Service"
        identifiers = ["logs.${var.region}.amazonaws.com"]
      }

      condition {
        test     = "ArnLike"
        variable = "kms:EncryptionContext:aws:logs:arn"
        values   = ["arn:${var.partition}:logs:${var.region}:${var.account_id}:log-group:*"]
      }
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "CloudTrail ${var.name} log encryption"
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_in_days
  policy                  = data.aws_iam_policy_document.kms.json

  tags = merge(var.tags, { Name = "${var.name}-cloudtrail" })
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name}-cloudtrail"
  target_key_id = aws_kms_key.this.key_id
}

################################################################################
# Trail bucket
################################################################################

module "bucket" {
  source = "../s3-bucket"

  bucket_name       = var.bucket_name
  force_destroy     = var.force_destroy
  sse_algorithm     = "aws:kms"
  kms_master_key_id = aws_kms_key.this.arn
  logging           = var.access_log_bucket == null ? null : { target_bucket = var.access_log_bucket }
  policy_documents  = [data.aws_iam_policy_document.bucket.json]

  lifecycle_rules = [{
    id                                 = "archive-trail-logs"
    transitions                        = [{ days = var.transition_to_glacier_days, storage_class = "GLACIER" }]
    noncurrent_version_expiration_days = 90
  }]

  tags = var.tags
}

# CloudTrail statements, merged by the module with its TLS-only statement.
data "aws_iam_policy_document" "bucket" {
  statement {
    sid       = "AWSCloudTrailAclCheck"
    effect    = "Allow"
    actions   = ["s3:GetBucketAcl"]
    resources = [module.bucket.arn]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }

  statement {
    sid       = "AWSCloudTrailWrite"
    effect    = "Allow"
    actions   = ["s3:PutObject"]
    resources = ["${module.bucket.arn}/AWSLogs/${var.account_id}/*"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "s3:x-amz-acl"
      values   = ["bucket-owner-full-control"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceArn"
      values   = [local.trail_arn]
    }
  }
}

moved {
  from = aws_s3_bucket.this
  to   = module.bucket.aws_s3_bucket.this
}

moved {
  from = aws_s3_bucket_public_access_block.this
  to   = module.bucket.aws_s3_bucket_public_access_block.this
}

moved {
  from = aws_s3_bucket_policy.this
  to   = module.bucket.aws_s3_bucket_policy.this
}

################################################################################
# CloudWatch Logs integration (optional)
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  count = local.cloudwatch_enabled ? 1 : 0

  name              = local.log_group_name
  retention_in_days = var.cloudwatch_logs_retention_in_days
  kms_key_id        = aws_kms_key.this.arn

  tags = merge(var.tags, { Name = local.log_group_name })
}

data "aws_iam_policy_document" "cloudwatch_assume" {
  statement {
    sid     = "CloudTrailAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["cloudtrail.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_iam_role" "cloudwatch" {
  count = local.cloudwatch_enabled ? 1 : 0

  name               = "${var.name}-cloudwatch-logs"
  assume_role_policy = data.aws_iam_policy_document.cloudwatch_assume.json

  tags = merge(var.tags, { Name = "${var.name}-cloudwatch-logs" })
}

data "aws_iam_policy_document" "cloudwatch" {
  count = local.cloudwatch_enabled ? 1 : 0

  statement {
    sid       = "DeliverTrailEvents"
    effect    = "Allow"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this[0].arn}:*"]
  }
}

resource "aws_iam_role_policy" "cloudwatch" {
  count = local.cloudwatch_enabled ? 1 : 0

  name   = "${var.name}-cloudwatch-logs"
  role   = aws_iam_role.cloudwatch[0].id
  policy = data.aws_iam_policy_document.cloudwatch[0].json
}

################################################################################
# Trail
################################################################################

resource "aws_cloudtrail" "this" {
  name                          = var.name
  s3_bucket_name                = module.bucket.id
  is_multi_region_trail         = true
  include_global_service_events = true
  enable_log_file_validation    = true
  enable_logging                = true
  kms_key_id                    = aws_kms_key.this.arn

  cloud_watch_logs_group_arn = local.cloudwatch_enabled ? "${aws_cloudwatch_log_group.this[0].arn}:*" : null
  cloud_watch_logs_role_arn  = local.cloudwatch_enabled ? aws_iam_role.cloudwatch[0].arn : null

  event_selector {
    read_write_type           = "All"
    include_management_events = true
  }

  tags = merge(var.tags, { Name = var.name })

  depends_on = [module.bucket, aws_iam_role_policy.cloudwatch]
}
