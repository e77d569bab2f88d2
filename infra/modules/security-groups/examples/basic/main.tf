# Example: The four groups in an existing VPC; the variables are the module's opt-ins.
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

variable "enable_http_redirect" {
  description = "Open port 80 on the ALB group for an HTTP->HTTPS redirect."
  type        = bool
  default     = false
}

variable "alb_ingress_ipv6_cidrs" {
  description = "IPv6 CIDR blocks allowed to reach the ALB on HTTPS."
  type        = list(string)
  default     = ["::/0"]
}

locals {
  # Module-level tags (merged by the module with its Name tag); Environment and
  # Project come from the provider's default_tags.
  tags = { Owner = "platform-tests" }
}

module "this" {
  source = "../.."

  name                   = "gen-ai"
  vpc_id                 = "vpc-0123456789abcdef0"
  enable_http_redirect   = var.enable_http_redirect
  alb_ingress_ipv6_cidrs = var.alb_ingress_ipv6_cidrs

  tags = local.tags
}
