# Example: The three secrets and their key; the password arrives through a sensitive variable.
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
  description = "Database master password (TF_VAR_db_password); never written here."
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

  name        = "gen-ai"
  account_id  = "123456789012"
  db_password = var.db_password
  db_host     = "gen-ai-db.example.internal"
  cache_host  = "gen-ai-cache.example.internal"

  db_password_rotation_lambda_arn = "arn:aws:lambda:us-east-1:123456789012:function:gen-ai-db-rotation"

  tags = local.tags
}
