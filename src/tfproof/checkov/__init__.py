"""checkov plumbing: the worker process that runs stock checkov offline, and its runner.

The export of tfproof's own policies as checkov external checks lives in the
engine (`tfproof.engine.checkov_adapter`): it needs the engine's plan index.
"""
