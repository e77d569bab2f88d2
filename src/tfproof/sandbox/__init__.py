"""The sandbox layer: apply the sandbox env, prove its promises through the AWS APIs, clean up.

Two kinds (`tfproof.sandbox.kinds`) behind one interface
(`tfproof.sandbox.interface`): the embedded moto server (default) and a real
sandbox account (`TFPROOF_SANDBOX=aws`, guarded by `TFPROOF_SANDBOX_ACCOUNT_ID`).
`tfproof.sandbox.live.run_live_checks()` runs the whole layer outside pytest
and returns one `LiveCheck` (`tfproof.sandbox.livecheck`) per promise checked.
Nothing is imported eagerly: importing this package starts nothing and needs no
AWS library.
"""
