# Every protection of the stack stays at its (secure) default.
module "platform" {
  source    = "../../stacks/platform"
  providers = { aws = aws, aws.replica = aws.replica }

  environment    = local.environment
  region         = "us-east-1"
  replica_region = "us-west-2"
  azs            = ["us-east-1a", "us-east-1b", "us-east-1c"]
  account_id     = var.account_id
  bucket_prefix  = "gen-ai-production"
  image_tag      = var.image_tag

  # Placeholder domain: replace it, or better set certificate_arn to an issued certificate.
  domain_name      = "gen-ai.example.com"
  db_password      = var.db_password
  redis_auth_token = var.redis_auth_token

  # Placeholder: the on-call list of the alerts topic (confirm the subscription).
  alert_email_addresses = ["platform-alerts@example.com"]
}

locals {
  environment = "production" # also the Environment tag (versions.tf)
}
