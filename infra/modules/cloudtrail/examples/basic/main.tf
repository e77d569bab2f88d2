# Example: The trail with its key and bucket; the variable turns the CloudWatch Logs delivery on.
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

variable "cloudwatch_logs_enabled" {
  description = "Also deliver trail events to a CloudWatch log group."
  type        = bool
  default     = false
}

locals {
  # Module-level tags (merged by the module with its Name tag); Environment and
  # Project come from the provider's default_tags.
  tags = { Owner = "platform-tests" }
}

module "this" {
  source = "../.."

  account_id        = "123456789012"
  region            = "us-east-1"
  bucket_name       = "gen-ai-example-cloudtrail"
  access_log_bucket = "gen-ai-example-access-logs"

  cloudwatch_logs_enabled = var.cloudwatch_logs_enabled

  tags = local.tags
}
