# Example: The monthly budget notifying an SNS topic and one address.
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

module "this" {
  source = "../.."

  subscriber_sns_topic_arns  = ["arn:aws:sns:us-east-1:123456789012:gen-ai-alerts"]
  subscriber_email_addresses = ["finops@example.com"]
}
