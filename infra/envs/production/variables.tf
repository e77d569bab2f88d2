variable "db_password" {
  description = "PostgreSQL master password: TF_VAR_db_password from the secret store, never committed."
  type        = string
  sensitive   = true
}

variable "redis_auth_token" {
  description = "Optional Redis AUTH token (16-128 characters): TF_VAR_redis_auth_token."
  type        = string
  default     = null
  sensitive   = true
}

variable "account_id" {
  description = "AWS account id; null reads it from the execution role ARN during apply."
  type        = string
  default     = null
}

variable "image_tag" {
  description = "Image tag deployed for every service."
  type        = string
  default     = "1.0.0"
}
