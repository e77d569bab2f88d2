"""Plan-level unit tests of each Terraform module, through its `examples/basic` root."""
