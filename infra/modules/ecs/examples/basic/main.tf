# Example: The cluster and two Fargate services wired to literal upstream ARNs.
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

  region   = "us-east-1"
  services = { search = 8003, code = 8008 }
  repository_urls = {
    search = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gen-ai-search"
    code   = "123456789012.dkr.ecr.us-east-1.amazonaws.com/gen-ai-code"
  }
  log_group_names = {
    search = "/ecs/gen-ai-search"
    code   = "/ecs/gen-ai-code"
  }
  execution_role_arn = "arn:aws:iam::123456789012:role/gen-ai-ecs-task-execution"
  task_role_arn      = "arn:aws:iam::123456789012:role/gen-ai-ecs-task"
  private_subnet_ids = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  security_group_ids = ["sg-0123456789abcdef0"]
  target_group_arns = {
    search = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gen-ai-search/0123456789abcdef"
    code   = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/gen-ai-code/0123456789abcdef"
  }

  container_environment = { DB_SECRET_ID = "gen-ai-db-password" }
  container_secrets = {
    API_KEYS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-api-keys-AbCdEf"
  }

  tags = local.tags
}
