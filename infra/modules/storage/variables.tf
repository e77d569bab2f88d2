variable "name" {
  description = "Prefix of the IAM role names of this module."
  type        = string
  default     = "gen-ai"
}

variable "documents_bucket_name" {
  description = "Name of the documents bucket (globally unique)."
  type        = string
}

variable "documents_sse_algorithm" {
  description = "Default encryption of the documents bucket: AES256 (as in the design) or aws:kms."
  type        = string
  default     = "AES256"

  validation {
    condition     = contains(["AES256", "aws:kms"], var.documents_sse_algorithm)
    error_message = "The documents_sse_algorithm must be AES256 or aws:kms."
  }
}

variable "documents_kms_key_arn" {
  description = "KMS key of the documents bucket when documents_sse_algorithm is aws:kms (null: AWS managed aws/s3 key)."
  type        = string
  default     = null
}

variable "access_logs_bucket_name" {
  description = "Name of the bucket receiving S3 server access logs (globally unique)."
  type        = string
}

variable "access_logs_expiration_days" {
  description = "Days after which access logs expire."
  type        = number
  default     = 365
}

variable "replication_enabled" {
  description = "Replicate the documents bucket to a replica bucket created through the aws.replica provider."
  type        = bool
  default     = false
}

variable "replica_region" {
  description = "Region of the aws.replica provider (informational: used in the replication rule id)."
  type        = string
  default     = "us-west-2"
}

variable "replica_bucket_name" {
  description = "Name of the replica bucket (globally unique); its access logs go to <name>-access-logs."
  type        = string
  default     = null
}

variable "replica_kms_key_arn" {
  description = "KMS key in the replica region for replica objects. Null: replica uses SSE-S3 (AES256)."
  type        = string
  default     = null
}

variable "replica_storage_class" {
  description = "Storage class of replicated objects."
  type        = string
  default     = "STANDARD"
}

variable "account_id" {
  description = "AWS account id scoping the replication role trust policy. Optional."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow destroying buckets that still hold objects (sandbox only)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
