"""Development tools of the tfproof repository; never imported by the runtime package `tfproof`.

- `testcache`: replay an unchanged, passing test layer (nox sessions)
- `validate`: `terraform fmt -check` and `validate` of every module (nox lint)
- `mutation`, `mutation_operators`, `mutation_linking`: mutation testing of the custom
  policies (tests, bench)
"""
