# Example: Documents and access-log buckets, replicated to us-west-2 through aws.replica.
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

provider "aws" {
  alias  = "replica"
  region = "us-west-2"

  default_tags {
    tags = {
      Environment = "test"
      Project     = "gen-ai-services"
    }
  }
}

variable "replication_enabled" {
  description = "Replicate the documents bucket to us-west-2."
  type        = bool
  default     = true
}

locals {
  # Module-level tags (merged by the module with its Name tag); Environment and
  # Project come from the provider's default_tags.
  tags = { Owner = "platform-tests" }
}

module "this" {
  source = "../.."

  providers = {
    aws         = aws
    aws.replica = aws.replica
  }

  name                    = "gen-ai"
  documents_bucket_name   = "gen-ai-example-documents"
  access_logs_bucket_name = "gen-ai-example-access-logs"

  replication_enabled = var.replication_enabled
  replica_bucket_name = "gen-ai-example-documents-replica"
  account_id          = "123456789012"

  tags = local.tags
}
