output "alb_security_group_id" {
  description = "ID of the load balancer security group."
  value       = aws_security_group.alb.id
}

output "service_security_group_id" {
  description = "ID of the ECS service security group."
  value       = aws_security_group.service.id
}

output "db_security_group_id" {
  description = "ID of the database security group."
  value       = aws_security_group.db.id
}

output "cache_security_group_id" {
  description = "ID of the Redis security group."
  value       = aws_security_group.cache.id
}
