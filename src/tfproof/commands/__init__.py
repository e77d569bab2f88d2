"""Subcommands of the `tfproof` CLI, one module each."""
