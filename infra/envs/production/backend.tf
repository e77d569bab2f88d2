terraform {
  # Remote state, partial configuration: terraform init -backend-config=backend.hcl
  backend "s3" {}
}
