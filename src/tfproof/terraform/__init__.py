"""The Terraform toolchain: the bundled binary and provider mirror, scratch workspaces, planning.

- `toolchain`: which terraform, the offline CLI config, the provider mirror, versions
- `workspace`: a private scratch copy of the user's root module (never written in place)
- `tree`: which files of the user's tree are read (regular files only, size budget)
- `hcl`: the provider blocks, aliases and backend an override file must replace
- `planner`: `terraform plan` + `show -json` with a content-keyed plan cache
- `inputs`: the variables the project's own envs need (generated sandbox secrets)
- `shim`: the `tfproof-terraform` console script
"""
