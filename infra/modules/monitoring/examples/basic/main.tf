# Example: Log groups, the alert topic and every alarm for two services, on literal upstream names.
# Plans offline (literal upstream ids, no data source that calls AWS); the
# module's plan-level tests (tests/unit/modules/) plan this root.

terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.39"
    }
  }
}

provider "aws" {
  region = "us-east-1"

  default_tags {
    tags = {
      Environment = "test"
      Project     = "gen-ai-services"
    }
  }
}

locals {
  # Module-level tags (merged by the module with its Name tag); Environment and
  # Project come from the provider's default_tags.
  tags = { Owner = "platform-tests" }
}

module "this" {
  source = "../.."

  services              = ["search", "code"]
  kms_key_arn           = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"
  sns_kms_key_id        = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"
  account_id            = "123456789012"
  alert_email_addresses = ["platform-alerts@example.com"]

  cluster_name = "gen-ai-cluster"
  ecs_service_names = {
    search = "gen-ai-search"
    code   = "gen-ai-code"
  }
  lb_arn_suffix = "app/gen-ai-alb/0123456789abcdef"
  target_group_arn_suffixes = {
    search = "targetgroup/gen-ai-search/0123456789abcdef"
    code   = "targetgroup/gen-ai-code/0123456789abcdef"
  }
  db_instance_identifier  = "gen-ai-db"
  db_allocated_storage_gb = 20

  tags = local.tags
}
