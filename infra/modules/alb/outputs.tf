output "lb_arn" {
  description = "ARN of the load balancer."
  value       = aws_lb.this.arn
}

output "lb_arn_suffix" {
  description = "ARN suffix of the load balancer (CloudWatch LoadBalancer dimension)."
  value       = aws_lb.this.arn_suffix
}

output "lb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "lb_zone_id" {
  description = "Route 53 zone id of the load balancer."
  value       = aws_lb.this.zone_id
}

output "https_listener_arn" {
  description = "ARN of the HTTPS listener."
  value       = aws_lb_listener.https.arn
}

output "target_group_arns" {
  description = "Map of service name to target group ARN (available once the listener rules exist)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn }

  depends_on = [aws_lb_listener_rule.this]
}

output "target_group_arn_suffixes" {
  description = "Map of service name to target group ARN suffix (CloudWatch TargetGroup dimension)."
  value       = { for k, tg in aws_lb_target_group.this : k => tg.arn_suffix }
}

output "certificate_arn" {
  description = "ARN of the certificate used by the HTTPS listener."
  value       = local.certificate_arn
}

output "certificate_domain_validation_options" {
  description = "DNS records to create to validate the created certificate (empty when certificate_arn was given)."
  value       = local.create_certificate ? aws_acm_certificate.this[0].domain_validation_options : []
}

output "access_logs_bucket" {
  description = "Name of the access-log bucket."
  value       = module.logs.id
}
