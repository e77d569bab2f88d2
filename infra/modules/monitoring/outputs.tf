output "log_group_names" {
  description = "Map of service name to log group name."
  value       = { for k, g in aws_cloudwatch_log_group.services : k => g.name }
}

output "log_group_arns" {
  description = "Map of service name to log group ARN."
  value       = { for k, g in aws_cloudwatch_log_group.services : k => g.arn }
}

output "sns_topic_arn" {
  description = "ARN of the alert topic."
  value       = aws_sns_topic.alerts.arn
}

output "service_health_alarm_arn" {
  description = "ARN of the gen-ai-service-health alarm."
  value       = aws_cloudwatch_metric_alarm.service_health.arn
}

output "alarm_names" {
  description = "Names of every alarm of this module."
  value = concat(
    [aws_cloudwatch_metric_alarm.service_health.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.service_health_per_service : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.cpu_high : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.memory_high : a.alarm_name],
    [aws_cloudwatch_metric_alarm.db_free_storage_low.alarm_name],
    [aws_cloudwatch_metric_alarm.error_rate_high.alarm_name],
  )
}
