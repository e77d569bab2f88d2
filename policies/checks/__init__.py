"""tfproof custom policies; checkov loads this folder with --external-checks-dir."""
