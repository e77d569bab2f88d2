variable "name" {
  description = "Prefix of the repository names (gen-ai-<service>)."
  type        = string
  default     = "gen-ai"
}

variable "services" {
  description = "Service names; one repository each."
  type        = list(string)
}

variable "kms_key_arn" {
  description = "ARN of the KMS key encrypting the repositories. Null uses the AWS managed ECR key."
  type        = string
  default     = null
}

variable "untagged_image_expiration_days" {
  description = "Days after which untagged images expire."
  type        = number
  default     = 14
}

variable "max_image_count" {
  description = "Number of most recent images kept per repository."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
