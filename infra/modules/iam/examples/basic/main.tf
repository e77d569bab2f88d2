# Example: The execution and task roles for literal bucket, secret and key ARNs.
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

variable "account_id" {
  description = "Account id scoping the trust policies (null: no aws:SourceAccount condition)."
  type        = string
  default     = null
}

variable "execution_secret_arns" {
  description = "Secrets injected by the execution role."
  type        = list(string)
  default     = []
}

variable "enable_xray_write" {
  description = "Attach AWSXRayDaemonWriteAccess to the task role."
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

  name                 = "gen-ai"
  account_id           = var.account_id
  documents_bucket_arn = "arn:aws:s3:::gen-ai-example-documents"
  task_secret_arns = [
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-api-keys-AbCdEf",
    "arn:aws:secretsmanager:us-east-1:123456789012:secret:gen-ai-db-password-AbCdEf",
  ]
  execution_secret_arns = var.execution_secret_arns
  secrets_kms_key_arns  = ["arn:aws:kms:us-east-1:123456789012:key/11111111-2222-4333-8444-555555555555"]
  enable_xray_write     = var.enable_xray_write

  tags = local.tags
}
