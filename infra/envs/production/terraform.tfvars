# Production settings. No secrets here: db_password (and the optional
# redis_auth_token) come from TF_VAR_db_password / TF_VAR_redis_auth_token.
region         = "us-east-1"
replica_region = "us-west-2"
environment    = "production"
azs            = ["us-east-1a", "us-east-1b", "us-east-1c"]
bucket_prefix  = "gen-ai-production"

# Placeholder: replace with the real public domain, or set certificate_arn to an
# issued ACM certificate.
domain_name = "gen-ai.example.com"

# Placeholder: the on-call list that receives the alerts topic (confirm the subscription).
alert_email_addresses = ["platform-alerts@example.com"]
