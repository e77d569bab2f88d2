"""One embedded moto server per test module, as the sandbox runs it (TLS, extensions installed)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tfproof.sandbox.kinds import EmbeddedSandbox
from tfproof.sandbox.server import MotoServer

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MotoServer]:
    """A running `tfproof.sandbox.moto_main` server; its log is in the test's temp folder."""
    with MotoServer(tmp_path_factory.mktemp("moto") / "moto.log") as server:
        yield server


@pytest.fixture(scope="module")
def aws(moto_server: MotoServer) -> Callable[..., Any]:
    """`aws("cloudwatch", region="us-east-1")`: a boto3 client on the module's server."""
    sandbox = EmbeddedSandbox(url=moto_server.url)
    return lambda service, region=None: sandbox.client(service, region)
