output "platform" {
  description = "The platform stack's outputs (vpc_id, alb_dns_name, documents_bucket, db_address, ...)."
  value       = module.platform
}
