terraform {
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 3.39"
      # The documents replica lives in the DR region: the caller passes both providers.
      configuration_aliases = [aws.replica]
    }
  }
}
