variable "identifier" {
  description = "Identifier of the DB instance; prefix of its subnet group, parameter group and log groups."
  type        = string
  default     = "gen-ai-db"
}

variable "engine_version" {
  description = "PostgreSQL engine version (must be a version RDS still supports; the design's 13.7 is past end of standard support)."
  type        = string
  default     = "15.7"
}

variable "parameter_group_family" {
  description = "DB parameter group family matching engine_version."
  type        = string
  default     = "postgres15"
}

variable "instance_class" {
  description = "DB instance class."
  type        = string
  default     = "db.t3.micro"
}

variable "allocated_storage" {
  description = "Allocated storage, in GiB."
  type        = number
  default     = 20
}

variable "max_allocated_storage" {
  description = "Upper limit of storage autoscaling, in GiB (0 disables it)."
  type        = number
  default     = 0
}

variable "storage_type" {
  description = "Storage type (gp2 as in the design)."
  type        = string
  default     = "gp2"
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting storage and Performance Insights. Null uses the AWS managed RDS key (storage stays encrypted)."
  type        = string
  default     = null
}

variable "database_name" {
  description = "Name of the initial database."
  type        = string
  default     = "genai"
}

variable "username" {
  description = "Master user name."
  type        = string
  default     = "genai_admin"
}

variable "password" {
  description = "Master password (supply through TF_VAR_db_password; never commit it)."
  type        = string
  sensitive   = true
}

variable "port" {
  description = "PostgreSQL port."
  type        = number
  default     = 5432
}

variable "private_subnet_ids" {
  description = "Private subnets of the DB subnet group."
  type        = list(string)
}

variable "security_group_ids" {
  description = "Security groups attached to the instance."
  type        = list(string)
}

variable "multi_az" {
  description = "Run a synchronous standby in a second availability zone."
  type        = bool
  default     = false
}

variable "backup_retention_period" {
  description = "Days automated backups (and point-in-time recovery) are kept."
  type        = number
  default     = 7

  validation {
    condition     = var.backup_retention_period >= 7
    error_message = "The design requires at least 7 days of automated backups."
  }
}

variable "backup_window" {
  description = "Daily backup window (UTC)."
  type        = string
  default     = "03:00-04:00"
}

variable "maintenance_window" {
  description = "Weekly maintenance window (UTC); must not overlap the backup window."
  type        = string
  default     = "sun:05:00-sun:06:00"
}

variable "deletion_protection" {
  description = "Protect the instance against deletion."
  type        = bool
  default     = true
}

variable "skip_final_snapshot" {
  description = "Skip the final snapshot on deletion (keep false)."
  type        = bool
  default     = false
}

variable "final_snapshot_identifier" {
  description = "Identifier of the final snapshot. Null uses <identifier>-final."
  type        = string
  default     = null
}

variable "apply_immediately" {
  description = "Apply modifications immediately instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "performance_insights_enabled" {
  description = "Enable Performance Insights (not available on every instance class)."
  type        = bool
  default     = false
}

variable "monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (0 disables it; 1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 0
}

variable "log_retention_in_days" {
  description = "Retention of the exported PostgreSQL log groups, in days."
  type        = number
  default     = 30
}

variable "log_kms_key_arn" {
  description = "ARN of a KMS key for the exported log groups (key policy must allow CloudWatch Logs). Null uses default encryption."
  type        = string
  default     = null
}

variable "account_id" {
  description = "AWS account id scoping the monitoring role trust policy. Optional."
  type        = string
  default     = null
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
