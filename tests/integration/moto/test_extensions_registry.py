"""The extension registry: every extension documents itself and the server reports each one."""

from __future__ import annotations

import pytest

from tfproof.sandbox.moto_ext import MODULES, extensions

pytestmark = pytest.mark.integration


def test_every_extension_says_what_it_follows_and_what_it_does_not_do():
    for ext in extensions():
        assert ext.name and ext.service and ext.behaviour.strip() and ext.limits.strip(), ext
        assert ext.name in MODULES


def test_the_server_log_names_each_extension(moto_server):
    log = moto_server.log_path.read_text()
    for ext in extensions():
        assert f"tfproof moto extension {ext.name}: " in log


def test_the_docs_list_every_extension_as_the_code_says():
    from tfproof_dev.moto_doc import DOC, current, render

    assert current(DOC.read_text()) == render(), (
        "docs/sandbox-moto.md is behind the extensions: run python -m tfproof_dev.moto_doc")
