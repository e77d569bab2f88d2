################################################################################
# Identity and placement
################################################################################

variable "environment" {
  description = "Environment name (production, sandbox, ...), passed to every service as ENVIRONMENT. The Environment tag itself comes from the env root's provider default_tags."
  type        = string
}

variable "name" {
  description = "Prefix of every resource name (gen-ai-cluster, gen-ai-db, alias/gen-ai-data, ...)."
  type        = string
  default     = "gen-ai"
}

variable "region" {
  description = "Primary AWS region; must be the region of the caller's default aws provider."
  type        = string
  default     = "us-east-1"
}

variable "replica_region" {
  description = "Disaster-recovery region of the documents replica; must be the region of the caller's aws.replica provider."
  type        = string
  default     = "us-west-2"
}

variable "azs" {
  description = "Availability zones of the three private and three public subnets."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "account_id" {
  description = "AWS account id. Optional: when null it is read from the execution role ARN after creation (no STS lookup). Setting it adds aws:SourceAccount conditions to trust policies and makes key/bucket policies and task definitions plan-time known."
  type        = string
  default     = null
}

variable "bucket_prefix" {
  description = "Prefix of every S3 bucket name (bucket names are global: one prefix per environment)."
  type        = string
}

variable "tags" {
  description = "Extra tags for every module's resources, merged with ManagedBy = terraform. Environment and Project belong to the provider default_tags of the env root: repeating a default_tags key here makes provider 3.x show a change on every plan after apply."
  type        = map(string)
  default     = {}

  validation {
    condition     = length(setintersection(keys(var.tags), ["Environment", "Project"])) == 0
    error_message = "Set Environment and Project through the provider default_tags of the env root, not in tags."
  }
}

################################################################################
# Entry point and services
################################################################################

variable "domain_name" {
  description = "Domain of the ACM certificate created for the HTTPS listener when certificate_arn is null."
  type        = string
  default     = null
}

variable "certificate_arn" {
  description = "ARN of an existing, issued ACM certificate for the HTTPS listener (preferred in production)."
  type        = string
  default     = null
}

variable "enable_http_redirect" {
  description = "Open port 80 on the ALB for an HTTP->HTTPS redirect listener (off: only HTTPS is exposed)."
  type        = bool
  default     = false
}

variable "image_tag" {
  description = "Image tag deployed for every service."
  type        = string
  default     = "1.0.0"
}

variable "desired_count" {
  description = "Initial number of tasks per service (Application Auto Scaling, 1 to 4, takes over afterwards)."
  type        = number
  default     = 2
}

################################################################################
# Secrets
################################################################################

variable "db_password" {
  description = "PostgreSQL master password, also stored in the gen-ai-db-password secret. Pass it from the env root's sensitive variable; never a literal."
  type        = string
  sensitive   = true
}

variable "redis_auth_token" {
  description = "Optional Redis AUTH token (16-128 characters). Null: TLS without AUTH."
  type        = string
  default     = null
  sensitive   = true
}

variable "db_password_rotation_lambda_arn" {
  description = "ARN of a Secrets Manager rotation Lambda for the DB password. Null: no automatic rotation."
  type        = string
  default     = null
}

variable "secrets_recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once, for environments re-created under the same names; otherwise 7-30)."
  type        = number
  default     = 30
}

################################################################################
# Protection against loss (production values by default)
################################################################################

variable "kms_deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion of each KMS key (data key, secrets key, trail key), 7-30 days."
  type        = number
  default     = 30
}

variable "deletion_protection" {
  description = "Deletion protection of the load balancer and of the database."
  type        = bool
  default     = true
}

variable "force_destroy" {
  description = "Let destroy remove buckets that still hold objects (documents, access logs, ALB logs, trail). Only for environments torn down on purpose."
  type        = bool
  default     = false
}

variable "enable_replication" {
  description = "Replicate the documents bucket to replica_region through the aws.replica provider (the DR control)."
  type        = bool
  default     = true
}

################################################################################
# Data stores
################################################################################

variable "db_multi_az" {
  description = "Run PostgreSQL Multi-AZ (a standby in a second zone)."
  type        = bool
  default     = true
}

variable "db_monitoring_interval" {
  description = "RDS enhanced monitoring interval in seconds (0 disables it; 1, 5, 10, 15, 30 or 60)."
  type        = number
  default     = 60
}

variable "db_final_snapshot_suffix" {
  description = "Suffix of the final DB snapshot identifier (<name>-db-final-<suffix>), so that environments destroyed repeatedly do not collide. Null: <name>-db-final."
  type        = string
  default     = null
}

variable "apply_immediately" {
  description = "Apply database and cache modifications at once instead of in the maintenance window."
  type        = bool
  default     = false
}

variable "redis_number_cache_clusters" {
  description = "Nodes of the Redis replication group (primary + replicas). Two or more turn on automatic failover and Multi-AZ."
  type        = number
  default     = 2
}

################################################################################
# Observability, audit, cost
################################################################################

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the gen-ai-alerts topic (each must confirm its subscription)."
  type        = list(string)
  default     = []
}

variable "enable_xray_sampling_rule" {
  description = "Create the gen-ai-sampling X-Ray rule (off only where the API cannot serve it, e.g. the embedded moto sandbox)."
  type        = bool
  default     = true
}

variable "cloudtrail_cloudwatch_logs_enabled" {
  description = "Deliver the gen-ai-trail events to a CloudWatch Logs group as well as to the trail bucket."
  type        = bool
  default     = true
}

variable "enable_budget" {
  description = "Create the gen-ai-monthly budget (off only where the API cannot serve it, e.g. the embedded moto sandbox)."
  type        = bool
  default     = true
}

variable "budget_limit_amount" {
  description = "Monthly cost limit of the budget, in USD."
  type        = string
  default     = "1000"
}

variable "budget_email_addresses" {
  description = "E-mail addresses notified by the monthly budget (the alerts topic is always notified)."
  type        = list(string)
  default     = []
}
