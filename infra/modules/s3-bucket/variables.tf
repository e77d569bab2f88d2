variable "bucket_name" {
  description = "Name of the bucket (globally unique); also its Name tag."
  type        = string
}

variable "acl" {
  description = "Canned ACL of the bucket: private, or log-delivery-write for an S3 server access-log target."
  type        = string
  default     = "private"

  validation {
    condition     = contains(["private", "log-delivery-write"], var.acl)
    error_message = "The acl must be private or log-delivery-write."
  }
}

variable "force_destroy" {
  description = "Allow destroying the bucket while it still holds objects (sandbox only)."
  type        = bool
  default     = false
}

variable "sse_algorithm" {
  description = "Default encryption: AES256 (SSE-S3) or aws:kms."
  type        = string
  default     = "AES256"

  validation {
    condition     = contains(["AES256", "aws:kms"], var.sse_algorithm)
    error_message = "The sse_algorithm must be AES256 or aws:kms."
  }
}

variable "kms_master_key_id" {
  description = "KMS key (ARN or id) used when sse_algorithm is aws:kms (null: AWS managed aws/s3 key). Ignored for AES256."
  type        = string
  default     = null
}

variable "logging" {
  description = "S3 server access logging: target_bucket receives the logs under target_prefix (null: s3/<bucket_name>/). Null disables access logging."
  type = object({
    target_bucket = string
    target_prefix = optional(string)
  })
  default = null
}

variable "lifecycle_rules" {
  description = "Lifecycle rules: id, optional expiration_days, optional transitions (days + storage_class), optional noncurrent_version_expiration_days."
  type = list(object({
    id                                 = string
    enabled                            = optional(bool, true)
    expiration_days                    = optional(number)
    transitions                        = optional(list(object({ days = number, storage_class = string })), [])
    noncurrent_version_expiration_days = optional(number)
  }))
  default = []
}

variable "replication_configuration" {
  description = "Cross-region replication of every object (V1 rule, empty prefix) to destination_bucket_arn with role_arn. Null disables replication."
  type = object({
    role_arn                  = string
    rule_id                   = string
    destination_bucket_arn    = string
    storage_class             = optional(string, "STANDARD")
    replica_kms_key_id        = optional(string)
    sse_kms_encrypted_objects = optional(bool, false)
  })
  default = null
}

variable "policy_documents" {
  description = "IAM policy JSON documents (e.g. data.aws_iam_policy_document.x.json) merged into the bucket policy next to its TLS-only statement (source_policy_documents; Sids must be unique)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
