# Provider 3.39: `cost_filters` is a map(string) (no cost_filter block yet),
# time_period_start is required and aws_budgets_budget takes no tags.
resource "aws_budgets_budget" "this" {
  name         = var.name
  budget_type  = "COST"
  limit_amount = var.limit_amount
  limit_unit   = "USD"
  time_unit    = "MONTHLY"

  # Required by provider 3.39 (optional in later versions).
  time_period_start = var.time_period_start

  cost_filters = {
    TagKeyValue = format("user:%s$%s", var.cost_filter_tag_key, var.cost_filter_tag_value)
  }

  notification {
    comparison_operator        = "GREATER_THAN"
    threshold                  = var.threshold_percent
    threshold_type             = "PERCENTAGE"
    notification_type          = "ACTUAL"
    subscriber_email_addresses = var.subscriber_email_addresses
    subscriber_sns_topic_arns  = var.subscriber_sns_topic_arns
  }

  lifecycle {
    precondition {
      condition     = length(var.subscriber_email_addresses) + length(var.subscriber_sns_topic_arns) > 0
      error_message = "A budget notification needs at least one subscriber (e-mail address or SNS topic)."
    }
  }
}
