"""checkov plumbing: stock checkov, offline, over the parts of a plan.

`runner` (the entry point) splits a plan into the parts checkov's checks see together
(`partition`, with `edges` rebuilding checkov's graph), caches each part's verdicts
(`cache`) and has the rest judged by worker processes (`pool`, `worker`: the only
module that imports checkov). The export of tfproof's own policies as checkov external
checks lives in the engine (`tfproof.engine.checkov_adapter`): it needs the engine's
plan index.
"""
