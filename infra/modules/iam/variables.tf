variable "name" {
  description = "Prefix of the role names (<name>-ecs-task-execution, <name>-ecs-task)."
  type        = string
  default     = "gen-ai"
}

variable "account_id" {
  description = "AWS account id; when set, trust policies require aws:SourceAccount to match. Optional."
  type        = string
  default     = null
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "documents_bucket_arn" {
  description = "ARN of the documents bucket the services read."
  type        = string
}

variable "task_secret_arns" {
  description = "Secrets the application code may read at runtime."
  type        = list(string)
}

variable "execution_secret_arns" {
  description = "Secrets the execution role injects into containers (ECS task definition `secrets`)."
  type        = list(string)
  default     = []
}

variable "secrets_kms_key_arns" {
  description = "KMS keys encrypting those secrets (kms:Decrypt only)."
  type        = list(string)
}

variable "task_kms_key_arns" {
  description = "Other KMS keys the task may decrypt with (e.g. an SSE-KMS documents key)."
  type        = list(string)
  default     = []
}

variable "enable_xray_write" {
  description = "Attach AWSXRayDaemonWriteAccess to the task role so services can send traces."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
