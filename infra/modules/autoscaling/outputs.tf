output "scalable_target_resource_ids" {
  description = "Map of service key to scalable target resource id."
  value       = { for k, t in aws_appautoscaling_target.this : k => t.resource_id }
}

output "cpu_policy_arns" {
  description = "Map of service key to CPU target-tracking policy ARN."
  value       = { for k, p in aws_appautoscaling_policy.cpu : k => p.arn }
}
