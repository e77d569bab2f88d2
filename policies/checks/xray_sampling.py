"""The seed's X-Ray sampling rule exists wherever ECS services run, and samples something."""

from __future__ import annotations

from tfproof.engine.checkov_adapter import export_check
from tfproof.engine.helpers import unknown
from tfproof.engine.index import PlanIndex
from tfproof.engine.policy import Verdict
from tfproof.plan import Resource

RESOURCE_TYPES = ("aws_ecs_cluster",)
RELATIONAL = True
RULE = "aws_xray_sampling_rule"


def _samples(rule: Resource) -> bool | None:
    """True when the rule keeps some requests (a reservoir or a fixed rate above zero).

    Either one above zero is enough, whatever the other turns out to be; None only when
    neither is known to be and one is known only after apply.
    """
    values = rule.values
    rate, reservoir = values.get("fixed_rate"), values.get("reservoir_size")
    if any(isinstance(v, (int, float)) and v > 0 for v in (rate, reservoir)):
        return True
    if unknown(rule, "fixed_rate") or unknown(rule, "reservoir_size"):
        return None
    return False


def evaluate(resource: Resource, index: PlanIndex) -> Verdict | None:
    """An aws_xray_sampling_rule in the plan with fixed_rate or reservoir_size above zero."""
    name = resource.values.get("name") or resource.address
    rules = index.of_type(RULE)
    sampling = {rule.address: _samples(rule) for rule in rules}
    good = [address for address, samples in sampling.items() if samples]
    if good:
        return Verdict.ok(f"X-Ray sampling rule {good[0]} samples the services' traces")
    if None in sampling.values():
        return Verdict.unknown("the X-Ray sampling rate is known only after apply")
    if rules:
        return Verdict.fail(f"the X-Ray sampling rules of the plan ({', '.join(sampling)}) "
                            f"sample nothing (fixed_rate and reservoir_size 0): cluster {name} "
                            "is untraced")
    return Verdict.fail(f"no aws_xray_sampling_rule in the plan: the services of ECS cluster "
                        f"{name} are not traced")


export_check(globals())
