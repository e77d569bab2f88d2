output "sampling_rule_arn" {
  description = "ARN of the sampling rule."
  value       = aws_xray_sampling_rule.this.arn
}

output "sampling_rule_name" {
  description = "Name of the sampling rule."
  value       = aws_xray_sampling_rule.this.rule_name
}
