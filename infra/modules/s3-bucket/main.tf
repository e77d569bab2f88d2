locals {
  uses_kms = var.sse_algorithm == "aws:kms"
}

################################################################################
# Bucket (provider 3.x inline versioning, encryption, logging, lifecycle, replication)
################################################################################

resource "aws_s3_bucket" "this" {
  bucket        = var.bucket_name
  acl           = var.acl
  force_destroy = var.force_destroy

  versioning {
    enabled = true
  }

  server_side_encryption_configuration {
    rule {
      apply_server_side_encryption_by_default {
        sse_algorithm     = var.sse_algorithm
        kms_master_key_id = local.uses_kms ? var.kms_master_key_id : null
      }
    }
  }

  dynamic "logging" {
    for_each = var.logging == null ? [] : [var.logging]

    content {
      target_bucket = logging.value.target_bucket
      target_prefix = coalesce(logging.value.target_prefix, "s3/${var.bucket_name}/")
    }
  }

  dynamic "lifecycle_rule" {
    for_each = var.lifecycle_rules

    content {
      id      = lifecycle_rule.value.id
      enabled = lifecycle_rule.value.enabled

      dynamic "expiration" {
        for_each = lifecycle_rule.value.expiration_days == null ? [] : [lifecycle_rule.value.expiration_days]

        content {
          days = expiration.value
        }
      }

      dynamic "transition" {
        for_each = lifecycle_rule.value.transitions

        content {
          days          = transition.value.days
          storage_class = transition.value.storage_class
        }
      }

      dynamic "noncurrent_version_expiration" {
        for_each = lifecycle_rule.value.noncurrent_version_expiration_days == null ? [] : [lifecycle_rule.value.noncurrent_version_expiration_days]

        content {
          days = noncurrent_version_expiration.value
        }
      }
    }
  }

  dynamic "replication_configuration" {
    for_each = var.replication_configuration == null ? [] : [var.replication_configuration]

    content {
      role = replication_configuration.value.role_arn

      rules {
        # V1 rule (empty prefix = every object, delete markers replicated).
        id     = replication_configuration.value.rule_id
        status = "Enabled"
        prefix = ""

        destination {
          bucket             = replication_configuration.value.destination_bucket_arn
          storage_class      = replication_configuration.value.storage_class
          replica_kms_key_id = replication_configuration.value.replica_kms_key_id
        }

        dynamic "source_selection_criteria" {
          for_each = replication_configuration.value.sse_kms_encrypted_objects ? [1] : []

          content {
            sse_kms_encrypted_objects {
              enabled = true
            }
          }
        }
      }
    }
  }

  tags = merge(var.tags, { Name = var.bucket_name })

  lifecycle {
    precondition {
      condition     = !(var.replication_configuration != null && local.uses_kms && try(var.replication_configuration.replica_kms_key_id, null) == null)
      error_message = "Replicating SSE-KMS objects needs a replica_kms_key_id (a key in the replica region)."
    }
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket = aws_s3_bucket.this.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

################################################################################
# Bucket policy: TLS only, plus the caller's statements
################################################################################

data "aws_iam_policy_document" "this" {
  source_policy_documents = var.policy_documents

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]

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

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = data.aws_iam_policy_document.this.json

  depends_on = [aws_s3_bucket_public_access_block.this]
}
