"""Settings that live outside the resource they govern: account- and region-wide switches.

`aws_s3_account_public_access_block` covers every bucket of its account,
`aws_ebs_encryption_by_default` every new volume of its account and region, and
`aws_ecr_registry_scanning_configuration` every repository of its registry (one per account
and region). A control that looks only at the resource misses them; one that counts any such
setting anywhere in the plan counts a setting made for another account or region. So a
setting governs a resource only when both provably share that scope: the same provider
configuration (and, provider 6, the same per-resource `region`), or provider configurations
that name the same constant region and the same account-deciding arguments. Anything less is
not a proof, and an unproven setting is not counted (fail closed).
"""

from __future__ import annotations

import json
from typing import Any

from tfproof.engine.helpers import truthy, unknown
from tfproof.engine.index import PlanIndex
from tfproof.plan import Resource

_NOT_ACCOUNT = ("region", "alias", "default_tags", "ignore_tags")


def _provider(resource: Resource, index: PlanIndex) -> tuple[str, dict[str, Any]]:
    key = str(resource.config.get("provider_config_key", "aws"))
    providers = index.plan.raw.get("configuration", {}).get("provider_config", {})
    return key, providers.get(key, {}).get("expressions", {})


def _constant(key: str, expr: Any, index: PlanIndex) -> Any:
    """A provider argument's value when the configuration fixes it: a constant, or a root
    variable in a root provider block (a module's `var.x` is not the root's `var.x`)."""
    if not isinstance(expr, dict):
        return None
    if "constant_value" in expr:
        return expr["constant_value"]
    refs = expr.get("references") or []
    if ":" not in key and refs and refs[0].startswith("var."):
        return index.plan.raw.get("variables", {}).get(refs[0].split(".")[1], {}).get("value")
    return None


def region(resource: Resource, index: PlanIndex) -> str | None:
    """Where the resource is created: its own `region` (provider 6), else its provider's
    (None when the plan does not fix it). The DR policy reads regions here too."""
    own = resource.values.get("region")
    if isinstance(own, str) and own:
        return own
    key, expressions = _provider(resource, index)
    value = _constant(key, expressions.get("region"), index)
    return value if isinstance(value, str) and value else None


def _account(resource: Resource, index: PlanIndex) -> str:
    """The provider's account-deciding arguments (credentials, roles, profile) as one key."""
    expressions = _provider(resource, index)[1]
    return json.dumps({k: v for k, v in expressions.items() if k not in _NOT_ACCOUNT},
                      sort_keys=True)


def same_account(setting: Resource, resource: Resource, index: PlanIndex) -> bool:
    """Provably the same AWS account (same provider, or the same account arguments)."""
    if _provider(setting, index)[0] == _provider(resource, index)[0]:
        return True
    return _account(setting, index) == _account(resource, index)


def same_region(setting: Resource, resource: Resource, index: PlanIndex) -> bool:
    """Provably the same account and region."""
    if not same_account(setting, resource, index):
        return False
    own = (setting.values.get("region"), resource.values.get("region"))
    if own == (None, None) and _provider(setting, index)[0] == _provider(resource, index)[0]:
        return not (unknown(setting, "region") or unknown(resource, "region"))
    where = region(setting, index)
    return where is not None and where == region(resource, index)


def ebs_default_encryption(resource: Resource, index: PlanIndex) -> bool | None:
    """EBS encryption by default for the resource's account and region, as the plan sets it.

    True when a setting in scope is known enabled; False when every one in scope is known
    disabled; None when none is in scope (the account's current setting, outside the plan,
    decides) or one is known only after apply.
    """
    states = [setting.values.get("enabled") for setting in
              index.of_type("aws_ebs_encryption_by_default")
              if same_region(setting, resource, index)]
    if any(truthy(state) for state in states):
        return True
    if states and all(state is not None for state in states):
        return False
    return None


def s3_account_flags(bucket: Resource, index: PlanIndex) -> list[Resource]:
    """The account public access blocks of the bucket's account."""
    return [pab for pab in index.of_type("aws_s3_account_public_access_block")
            if same_account(pab, bucket, index)]


def ecr_registry_configs(repository: Resource, index: PlanIndex) -> list[Resource]:
    """The registry scanning configurations of the repository's account and region."""
    return [config for config in index.of_type("aws_ecr_registry_scanning_configuration")
            if same_region(config, repository, index)]
