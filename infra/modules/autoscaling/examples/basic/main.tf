# Example: Scaling targets and CPU policies for two services of gen-ai-cluster.
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

  cluster_name = "gen-ai-cluster"
  service_names = {
    search = "gen-ai-search"
    code   = "gen-ai-code"
  }
}
