"""tfproof: prove on every layer that the platform's Terraform keeps its security promises."""

__version__ = "0.1.0"
