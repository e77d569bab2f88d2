output "trail_arn" {
  description = "ARN of the trail."
  value       = aws_cloudtrail.this.arn
}

output "bucket_id" {
  description = "Name of the trail bucket."
  value       = module.bucket.id
}

output "bucket_arn" {
  description = "ARN of the trail bucket."
  value       = module.bucket.arn
}

output "kms_key_arn" {
  description = "ARN of the trail key."
  value       = aws_kms_key.this.arn
}

output "log_group_name" {
  description = "Name of the trail log group (null when the CloudWatch integration is off)."
  value       = local.cloudwatch_enabled ? aws_cloudwatch_log_group.this[0].name : null
}
