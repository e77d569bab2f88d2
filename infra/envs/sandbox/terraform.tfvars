# Sandbox settings. No secrets here: db_password comes from TF_VAR_db_password.
region        = "us-east-1"
environment   = "sandbox"
azs           = ["us-east-1a", "us-east-1b", "us-east-1c"]
bucket_prefix = "gen-ai-sandbox"
domain_name   = "sandbox.gen-ai.example.com"
force_destroy = true

# Feature toggles (set false when applying against the embedded moto server).
enable_xray_sampling_rule = true
enable_budget             = true
enable_replication        = false

# Alarms notify the alerts topic; the topic needs a subscriber (placeholder address:
# replace with the team's list; e-mail subscriptions stay pending until confirmed).
alert_email_addresses = ["platform-alerts@example.com"]
