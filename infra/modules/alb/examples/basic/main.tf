# Example: The public ALB for two services in an existing VPC; the variables are the module's opt-ins.
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

variable "certificate_arn" {
  description = "An issued certificate (null: the module requests one for domain_name)."
  type        = string
  default     = null
}

variable "enable_http_redirect" {
  description = "Add the port-80 listener that only redirects to HTTPS."
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

  name               = "gen-ai"
  region             = "us-east-1"
  vpc_id             = "vpc-0123456789abcdef0"
  public_subnet_ids  = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids = ["sg-0123456789abcdef0"]
  services = {
    search = 8003
    code   = 8008
  }

  domain_name          = "api.example.com"
  certificate_arn      = var.certificate_arn
  enable_http_redirect = var.enable_http_redirect

  access_logs_bucket_name = "gen-ai-example-alb-logs"
  s3_access_log_bucket    = "gen-ai-example-access-logs"

  tags = local.tags
}
