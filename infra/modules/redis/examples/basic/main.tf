# Example: The Redis replication group in literal private subnets, with an AUTH token from a sensitive variable.
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

variable "auth_token" {
  description = "Redis AUTH token (TF_VAR_auth_token); never written here."
  type        = string
  sensitive   = true
}

locals {
  # Module-level tags (merged by the module with its Name tag); Environment and
  # Project come from the provider's default_tags.
  tags = { Owner = "platform-tests" }
}

module "this" {
  source = "../.."

  private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids = ["sg-0123456789abcdef0"]
  kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"
  auth_token         = var.auth_token

  tags = local.tags
}
