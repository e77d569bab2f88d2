# Shared: sandbox/versions.tf links here. Each root sets local.environment; production adds backend.tf.
terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.39"
    }
  }
}

# One tagging pattern: Environment and Project only through default_tags (see the stack's var.tags).
locals {
  default_tags = { Environment = local.environment, Project = "gen-ai-services" }
}

# Literal regions: the DR policy reads the replica's region from its provider block.
provider "aws" {
  region = "us-east-1"
  default_tags { tags = local.default_tags }
}

provider "aws" {
  alias  = "replica" # the DR region of the documents replica (sandbox: only with enable_replication)
  region = "us-west-2"
  default_tags { tags = local.default_tags }
}
