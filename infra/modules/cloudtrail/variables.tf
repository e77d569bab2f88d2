variable "name" {
  description = "Name of the trail; prefix of its key alias and roles."
  type        = string
  default     = "gen-ai-trail"
}

variable "account_id" {
  description = "AWS account id (scopes the key policy, the bucket policy and the CloudTrail source ARN)."
  type        = string
}

variable "region" {
  description = "Home region of the trail."
  type        = string
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "bucket_name" {
  description = "Name of the bucket receiving the trail logs (globally unique)."
  type        = string
}

variable "access_log_bucket" {
  description = "Bucket receiving S3 server access logs of the trail bucket. Null disables them."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Allow destroying the trail bucket while it still holds logs (sandbox only)."
  type        = bool
  default     = false
}

variable "transition_to_glacier_days" {
  description = "Days after which trail logs move to Glacier."
  type        = number
  default     = 90
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion of the trail key, in days."
  type        = number
  default     = 30
}

variable "cloudwatch_logs_enabled" {
  description = "Also deliver trail events to a CloudWatch log group."
  type        = bool
  default     = false
}

variable "cloudwatch_logs_retention_in_days" {
  description = "Retention of the trail log group, in days."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
