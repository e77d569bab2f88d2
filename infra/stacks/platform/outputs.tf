output "vpc_id" {
  description = "ID of the VPC."
  value       = module.network.vpc_id
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = module.alb.lb_dns_name
}

output "certificate_domain_validation_options" {
  description = "DNS records validating the created certificate (empty when certificate_arn is given)."
  value       = module.alb.certificate_domain_validation_options
}

output "ecs_cluster_name" {
  description = "Name of the ECS cluster."
  value       = module.ecs.cluster_name
}

output "ecr_repository_urls" {
  description = "Map of service name to ECR repository URL."
  value       = module.ecr.repository_urls
}

output "documents_bucket" {
  description = "Name of the documents bucket."
  value       = module.storage.documents_bucket_id
}

output "documents_replica_bucket_arn" {
  description = "ARN of the documents replica in replica_region (null unless enable_replication)."
  value       = module.storage.replica_bucket_arn
}

output "db_address" {
  description = "Host name of the PostgreSQL instance."
  value       = module.rds.db_instance_address
}

output "redis_primary_endpoint" {
  description = "Primary endpoint of the Redis replication group."
  value       = module.redis.primary_endpoint_address
}

output "alerts_topic_arn" {
  description = "ARN of the gen-ai-alerts SNS topic."
  value       = module.monitoring.sns_topic_arn
}

output "cloudtrail_arn" {
  description = "ARN of the gen-ai-trail trail."
  value       = module.cloudtrail.trail_arn
}
