# Smaller and disposable: applied, checked and destroyed by the nightly run (local
# state: no backend block).
module "platform" {
  source    = "../../stacks/platform"
  providers = { aws = aws, aws.replica = aws.replica }

  environment   = local.environment
  account_id    = var.account_id
  bucket_prefix = "gen-ai-sandbox"
  domain_name   = "sandbox.gen-ai.example.com"
  db_password   = var.db_password

  # Torn down every night: nothing may block or outlive the destroy.
  deletion_protection             = false
  force_destroy                   = true
  secrets_recovery_window_in_days = 0 # the next run reuses the secret names at once
  kms_deletion_window_in_days     = 7
  db_final_snapshot_suffix        = var.final_snapshot_suffix

  # One of everything.
  desired_count               = 1
  db_multi_az                 = false
  db_monitoring_interval      = 0
  redis_number_cache_clusters = 1
  apply_immediately           = true

  enable_replication                 = var.enable_replication
  enable_xray_sampling_rule          = var.enable_xray_sampling_rule
  enable_budget                      = var.enable_budget
  cloudtrail_cloudwatch_logs_enabled = false

  # Alarms need a subscriber: placeholder list (e-mail subscriptions stay pending until confirmed).
  alert_email_addresses = ["platform-alerts@example.com"]
}

locals {
  environment = "sandbox" # also the Environment tag (versions.tf)
}
