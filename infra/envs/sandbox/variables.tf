variable "db_password" {
  description = "PostgreSQL master password: TF_VAR_db_password, generated per run, never committed."
  type        = string
  sensitive   = true
}

variable "final_snapshot_suffix" {
  description = "Suffix of the final DB snapshot id, so nightly destroys do not collide (the run id)."
  type        = string
  default     = "sandbox"
}

variable "enable_xray_sampling_rule" {
  description = "Create the X-Ray sampling rule (false only where the sandbox account may not manage X-Ray)."
  type        = bool
  default     = true
}

variable "enable_budget" {
  description = "Create the monthly budget (false only where the sandbox account may not manage budgets)."
  type        = bool
  default     = true
}

variable "enable_replication" {
  description = "Replicate the documents bucket to us-west-2, as production always does (false saves the second region's cost)."
  type        = bool
  default     = true
}

variable "account_id" {
  description = "AWS account id (optional); null reads it from the execution role ARN during apply."
  type        = string
  default     = null
}
