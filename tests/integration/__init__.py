"""Integration tests: apply the sandbox env, check it live, destroy."""
