# Example: The PostgreSQL instance in literal private subnets; the password arrives through a sensitive variable.
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

variable "db_password" {
  description = "Master password (TF_VAR_db_password); never written here."
  type        = string
  sensitive   = true
}

variable "deletion_protection" {
  description = "Protect the instance against deletion (sandboxes turn it off)."
  type        = bool
  default     = true
}

variable "backup_retention_period" {
  description = "Days automated backups are kept (the module refuses fewer than 7)."
  type        = number
  default     = 7
}

variable "monitoring_interval" {
  description = "Enhanced monitoring interval in seconds (0: off)."
  type        = number
  default     = 0
}

locals {
  # Module-level tags (merged by the module with its Name tag); Environment and
  # Project come from the provider's default_tags.
  tags = { Owner = "platform-tests" }
}

module "this" {
  source = "../.."

  password           = var.db_password
  kms_key_arn        = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"
  private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids = ["sg-0123456789abcdef0"]

  backup_retention_period = var.backup_retention_period
  deletion_protection     = var.deletion_protection
  monitoring_interval     = var.monitoring_interval
  account_id              = "123456789012"

  tags = local.tags
}
