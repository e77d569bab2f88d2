output "platform" {
  description = "The platform stack's outputs (vpc_id, alb_dns_name, certificate_domain_validation_options, ...)."
  value       = module.platform
}
