terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.39"
    }
  }

  # No backend block: the sandbox keeps local state (applied and destroyed nightly).
}

provider "aws" {
  region = var.region

  default_tags {
    tags = local.default_tags
  }
}

# Used only when enable_replication = true.
provider "aws" {
  alias  = "replica"
  region = var.replica_region

  default_tags {
    tags = local.default_tags
  }
}
