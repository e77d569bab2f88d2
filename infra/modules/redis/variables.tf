variable "name" {
  description = "Replication group id; prefix of the subnet and parameter groups."
  type        = string
  default     = "gen-ai-cache"
}

variable "engine_version" {
  description = "Redis engine version (6.x line, matching the redis6.x parameter group family)."
  type        = string
  default     = "6.x"
}

variable "node_type" {
  description = "Cache node type."
  type        = string
  default     = "cache.t3.micro"
}

variable "number_cache_clusters" {
  description = "Number of nodes (primary + replicas). Automatic failover needs at least 2."
  type        = number
  default     = 2
}

variable "port" {
  description = "Redis port."
  type        = number
  default     = 6379
}

variable "private_subnet_ids" {
  description = "Private subnets of the cache subnet group."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups attached to the cache nodes."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "ARN of the KMS key for at-rest encryption. Null uses the AWS managed key (still encrypted)."
  type        = string
  default     = null
}

variable "auth_token" {
  description = "Optional Redis AUTH token (16-128 chars), supplied through TF_VAR_*; requires transit encryption, which is always on."
  type        = string
  default     = null
  sensitive   = true
}

variable "automatic_failover_enabled" {
  description = "Promote a replica automatically when the primary fails (needs number_cache_clusters >= 2)."
  type        = bool
  default     = true
}

variable "multi_az_enabled" {
  description = "Spread primary and replicas over availability zones (only with automatic failover)."
  type        = bool
  default     = true
}

variable "snapshot_retention_limit" {
  description = "Days automatic snapshots are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.snapshot_retention_limit >= 7
    error_message = "Keep at least 7 days of Redis snapshots (control BACKUP)."
  }
}

variable "snapshot_window" {
  description = "Daily snapshot window (UTC); must not overlap the maintenance window."
  type        = string
  default     = "04:00-05:00"
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC)."
  type        = string
  default     = "sun:06:00-sun:07:00"
}

variable "apply_immediately" {
  description = "Apply modifications immediately instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "notification_topic_arn" {
  description = "SNS topic receiving ElastiCache events. Optional."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
