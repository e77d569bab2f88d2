# Example: The S3 gateway endpoint on two private route tables.
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

  name            = "gen-ai"
  vpc_id          = "vpc-0123456789abcdef0"
  region          = "us-east-1"
  route_table_ids = ["rtb-0123456789abcdef0", "rtb-0123456789abcdef1"]

  tags = local.tags
}
