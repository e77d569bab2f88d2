variable "name" {
  description = "Name of the key (alias/<name>)."
  type        = string
}

variable "description" {
  description = "Description of the key."
  type        = string
  default     = "Gen AI services data key"
}

variable "account_id" {
  description = "AWS account id owning the key (root principal of the administration statement)."
  type        = string
}

variable "region" {
  description = "AWS region of the key (scopes the CloudWatch Logs service principal)."
  type        = string
}

variable "partition" {
  description = "AWS partition used to build ARNs."
  type        = string
  default     = "aws"
}

variable "allow_cloudwatch_logs" {
  description = "Let CloudWatch Logs of this account and region encrypt log groups with the key."
  type        = bool
  default     = true
}

variable "sns_publisher_services" {
  description = "Service principals that publish to SNS topics encrypted with this key (e.g. cloudwatch.amazonaws.com, budgets.amazonaws.com)."
  type        = list(string)
  default     = ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"]
}

variable "deletion_window_in_days" {
  description = "Waiting period before a scheduled key deletion, in days."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags applied to every taggable resource of this module."
  type        = map(string)
  default     = {}
}
