variable "name" {
  description = "Prefix of log groups (/ecs/<name>-<service>), the SNS topic (<name>-alerts) and alarm names."
  type        = string
  default     = "gen-ai"
}

variable "services" {
  description = "Service names; one log group and one set of service alarms each."
  type        = list(string)
}

variable "log_retention_in_days" {
  description = "Retention of the service log groups, in days."
  type        = number
  default     = 30
}

variable "kms_key_arn" {
  description = "ARN of a KMS key encrypting the log groups (its key policy must allow CloudWatch Logs). Null uses default encryption."
  type        = string
  default     = null
}

variable "sns_kms_key_id" {
  description = "KMS key (ARN, id or alias) encrypting the alert topic; must let cloudwatch.amazonaws.com use it. Customer managed key recommended."
  type        = string
}

variable "account_id" {
  description = "AWS account id owning the topic: the topic policy lets this account manage it and CloudWatch/Budgets publish on its behalf only."
  type        = string
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the alert topic (each must confirm)."
  type        = list(string)
  default     = []
}

variable "additional_alarm_actions" {
  description = "Extra ARNs notified by every alarm (alarm and OK)."
  type        = list(string)
  default     = []
}

variable "cluster_name" {
  description = "Name of the ECS cluster."
  type        = string
}

variable "ecs_service_names" {
  description = "Map of service key to ECS service name."
  type        = map(string)
}

variable "lb_arn_suffix" {
  description = "ARN suffix of the application load balancer."
  type        = string
}

variable "target_group_arn_suffixes" {
  description = "Map of service key to target group ARN suffix."
  type        = map(string)
}

variable "db_instance_identifier" {
  description = "Identifier of the RDS instance watched by the free-storage alarm."
  type        = string
}

variable "db_allocated_storage_gb" {
  description = "Allocated storage of the RDS instance, in GiB (base of the percentage threshold)."
  type        = number
  default     = 20
}

variable "db_free_storage_threshold_bytes" {
  description = "Free-storage alarm threshold in bytes. Null: disk_free_percent_threshold % of db_allocated_storage_gb."
  type        = number
  default     = null
}

variable "healthy_task_threshold" {
  description = "The per-service health alarms fire when a service's healthy tasks (ALB HealthyHostCount) drop below this number."
  type        = number
  default     = 1
}

variable "cluster_min_running_tasks" {
  description = "The gen-ai-service-health alarm fires when the tasks running in the cluster drop below this number."
  type        = number
  default     = 1
}

variable "cpu_threshold_percent" {
  description = "CPU utilisation alarm threshold, in percent."
  type        = number
  default     = 80
}

variable "memory_threshold_percent" {
  description = "Memory utilisation alarm threshold, in percent."
  type        = number
  default     = 85
}

variable "disk_free_percent_threshold" {
  description = "Free-storage alarm threshold, in percent of the allocated storage."
  type        = number
  default     = 20
}

variable "error_rate_threshold_percent" {
  description = "5xx error rate alarm threshold, in percent of requests."
  type        = number
  default     = 5
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
