variable "region" {
  description = "Primary AWS region."
  type        = string
  default     = "us-east-1"
}

variable "replica_region" {
  description = "Disaster-recovery region receiving the documents replica."
  type        = string
  default     = "us-west-2"
}

variable "environment" {
  description = "Environment name, written to the Environment tag."
  type        = string
  default     = "production"
}

variable "account_id" {
  description = "AWS account id. Optional: when null it is read from the execution role ARN after creation (no STS lookup). Setting it adds aws:SourceAccount conditions to trust policies and makes key/bucket policies plan-time known."
  type        = string
  default     = null
}

variable "azs" {
  description = "Availability zones of the VPC subnets."
  type        = list(string)
  default     = ["us-east-1a", "us-east-1b", "us-east-1c"]
}

variable "bucket_prefix" {
  description = "Prefix of every S3 bucket name (bucket names are global)."
  type        = string
}

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

variable "db_password" {
  description = "PostgreSQL master password. Supply through TF_VAR_db_password; never commit it."
  type        = string
  sensitive   = true
}

variable "redis_auth_token" {
  description = "Optional Redis AUTH token (16-128 chars). Supply through TF_VAR_redis_auth_token."
  type        = string
  default     = null
  sensitive   = true
}

variable "db_password_rotation_lambda_arn" {
  description = "ARN of a Secrets Manager rotation Lambda for the DB password. Null: no automatic rotation."
  type        = string
  default     = null
}

variable "alert_email_addresses" {
  description = "E-mail addresses subscribed to the gen-ai-alerts topic."
  type        = list(string)
  default     = []
}

variable "budget_email_addresses" {
  description = "E-mail addresses notified by the monthly budget (the alerts topic is always notified)."
  type        = list(string)
  default     = []
}
