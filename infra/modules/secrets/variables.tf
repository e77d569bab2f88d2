variable "name" {
  description = "Prefix of the secret names (<name>-api-keys, <name>-db-password) and of the key alias."
  type        = string
  default     = "gen-ai"
}

variable "account_id" {
  description = "AWS account id owning the secrets key (root principal of the key policy)."
  type        = string
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "db_username" {
  description = "Database master user name stored next to the password."
  type        = string
  default     = "genai_admin"
}

variable "db_password" {
  description = "Database master password stored in the db-password secret (from TF_VAR_db_password)."
  type        = string
  sensitive   = true
}

variable "db_host" {
  description = "Database host stored in the db-password secret. Optional."
  type        = string
  default     = null
}

variable "db_port" {
  description = "Database port stored in the db-password secret."
  type        = number
  default     = 5432
}

variable "db_name" {
  description = "Database name stored in the db-password secret."
  type        = string
  default     = "genai"
}

variable "create_cache_secret" {
  description = "Create the <name>-cache-connection secret holding the Redis endpoint (and AUTH token, if any)."
  type        = bool
  default     = true
}

variable "cache_host" {
  description = "Redis primary endpoint stored in the cache-connection secret."
  type        = string
  default     = null
}

variable "cache_port" {
  description = "Redis port stored in the cache-connection secret."
  type        = number
  default     = 6379
}

variable "cache_auth_token" {
  description = "Redis AUTH token stored in the cache-connection secret (null when AUTH is off)."
  type        = string
  default     = null
  sensitive   = true
}

variable "recovery_window_in_days" {
  description = "Days a deleted secret can still be restored (0 deletes immediately; 7-30 otherwise)."
  type        = number
  default     = 30
}

variable "kms_deletion_window_in_days" {
  description = "Waiting period before a scheduled deletion of the secrets key, in days."
  type        = number
  default     = 30
}

variable "db_password_rotation_lambda_arn" {
  description = "ARN of a rotation Lambda for the DB password (e.g. the AWS PostgreSQL single-user rotator). Null: no rotation."
  type        = string
  default     = null
}

variable "rotation_days" {
  description = "Days between automatic rotations when a rotation Lambda is given."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
