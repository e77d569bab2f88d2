variable "name" {
  description = "Name of the budget."
  type        = string
  default     = "gen-ai-monthly"
}

variable "limit_amount" {
  description = "Monthly cost limit, in USD."
  type        = string
  default     = "1000"
}

variable "cost_filter_tag_key" {
  description = "Cost allocation tag key the budget is filtered on."
  type        = string
  default     = "Project"
}

variable "cost_filter_tag_value" {
  description = "Value of the cost allocation tag the budget is filtered on."
  type        = string
  default     = "gen-ai-services"
}

variable "threshold_percent" {
  description = "Actual spend, in percent of the limit, that triggers the notification."
  type        = number
  default     = 80
}

variable "subscriber_email_addresses" {
  description = "E-mail addresses notified when the threshold is crossed."
  type        = list(string)
  default     = []
}

variable "subscriber_sns_topic_arns" {
  description = "SNS topics notified when the threshold is crossed (the topic policy must allow budgets.amazonaws.com)."
  type        = list(string)
  default     = []
}

variable "time_period_start" {
  description = "Start of the budget period, YYYY-MM-DD_HH:MM (required by provider 3.39)."
  type        = string
  default     = "2025-01-01_00:00"
}
