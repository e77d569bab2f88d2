"""X-Ray sampling rules and their tags, which moto 5.2.5's xray service does not serve.

moto 5.2.5 routes only the trace APIs (/TraceSegments, /TraceSummaries, ...); a
`CreateSamplingRule` gets no route, and the provider's create of
`aws_xray_sampling_rule` retries until it gives up. This adds the seven
sampling-rule and tagging actions the way moto routes xray today (REST-JSON
POSTs on /<Action>, dispatched by `XRayResponse` from the path), with the
semantics of the X-Ray API reference
(https://docs.aws.amazon.com/xray/latest/api/):

- CreateSamplingRule returns a SamplingRuleRecord: the rule with its generated
  `RuleARN` (arn:<partition>:xray:<region>:<account>:sampling-rule/<name>),
  `CreatedAt` and `ModifiedAt`. `Version` must be 1 (the rule format version).
  Field bounds follow API_SamplingRule.html (Priority 1-9999, FixedRate 0-1,
  ReservoirSize >= 0, string lengths, at most 5 Attributes). A second rule of
  the same name is an InvalidRequestException.
- GetSamplingRules lists every rule of the region, paginated with NextToken;
  the "Default" rule is always there (Priority 10000, every matcher "*", one
  request a second and 5 % of the rest, CreatedAt 0 as AWS reports it).
- UpdateSamplingRule changes only the fields given (Attributes replaced as a
  whole) and sets ModifiedAt; the Default rule takes a new FixedRate and
  ReservoirSize only. DeleteSamplingRule returns the deleted record; the
  Default rule cannot be deleted. A rule that does not exist, or one named by
  both name and ARN, is an InvalidRequestException.
- TagResource/UntagResource/ListTagsForResource work on a rule's ARN (also the
  `Tags` of CreateSamplingRule); an unknown ARN is ResourceNotFoundException
  (HTTP 404), more than 50 tags TooManyTagsException.
"""

from __future__ import annotations

import json
import time
from typing import Any

from tfproof.sandbox.moto_ext import Extension

ROUTES = (
    "CreateSamplingRule", "GetSamplingRules", "UpdateSamplingRule", "DeleteSamplingRule",
    "TagResource", "UntagResource", "ListTagsForResource",
)  # fmt: skip
PAGE_SIZE = 100  # undocumented by AWS; the provider follows NextToken either way
MAX_TAGS = 50
DEFAULT_NAME = "Default"
MATCHERS = ("ResourceARN", "ServiceName", "ServiceType", "Host", "HTTPMethod", "URLPath")
MAX_LENGTH = {"ResourceARN": 500, "ServiceName": 64, "ServiceType": 64, "Host": 64,
              "HTTPMethod": 10, "URLPath": 128}  # fmt: skip
DEFAULT_RULE = {
    "RuleName": DEFAULT_NAME, "Priority": 10000, "FixedRate": 0.05, "ReservoirSize": 1,
    **dict.fromkeys(MATCHERS, "*"), "Version": 1, "Attributes": {},
}  # fmt: skip


def _error(code: str, message: str, status: int = 400) -> Exception:
    from moto.core.exceptions import JsonRESTError

    error = JsonRESTError(code, message)
    error.code = status
    return error


def _invalid(message: str) -> Exception:
    return _error("InvalidRequestException", message)


class SamplingRule:
    """One rule and its metadata (a SamplingRuleRecord)."""

    def __init__(self, rule: dict[str, Any], arn: str, created_at: float) -> None:
        self.rule_name: str = rule["RuleName"]
        self.rule = {**rule, "RuleARN": arn, "Attributes": dict(rule.get("Attributes") or {})}
        self.created_at = created_at
        self.modified_at = created_at

    def to_record(self) -> dict[str, Any]:
        """The SamplingRuleRecord shape."""
        return {"SamplingRule": dict(self.rule), "CreatedAt": self.created_at,
                "ModifiedAt": self.modified_at}  # fmt: skip


def _check_fields(rule: dict[str, Any]) -> None:
    """InvalidRequestException for a field outside the bounds of API_SamplingRule.html."""
    name = rule.get("RuleName")
    if name is not None and not 1 <= len(name) <= 32:
        raise _invalid("RuleName must be 1 to 32 characters long")
    priority = rule.get("Priority")
    if priority is not None and not 1 <= int(priority) <= 9999:
        raise _invalid("Priority must be between 1 and 9999")
    rate = rule.get("FixedRate")
    if rate is not None and not 0 <= float(rate) <= 1:
        raise _invalid("FixedRate must be between 0 and 1")
    if rule.get("ReservoirSize") is not None and int(rule["ReservoirSize"]) < 0:
        raise _invalid("ReservoirSize must not be negative")
    for field, limit in MAX_LENGTH.items():
        if len(rule.get(field) or "") > limit:
            raise _invalid(f"{field} must be at most {limit} characters long")
    attributes = rule.get("Attributes") or {}
    if len(attributes) > 5 or any(
        not 1 <= len(k) <= 32 or not 1 <= len(v) <= 32 for k, v in attributes.items()
    ):
        raise _invalid("Attributes take at most 5 entries, keys and values of 1 to 32 characters")


# -- backend (patched onto moto.xray.models.XRayBackend) --------------------------------
def _rules(self: Any) -> dict[str, SamplingRule]:
    """The region's rules by name, created with the Default rule on first use."""
    if "sampling_rules" not in self.__dict__:
        from moto.utilities.tagging_service import TaggingService

        default = SamplingRule(DEFAULT_RULE, _arn(self, DEFAULT_NAME), 0.0)
        self.sampling_rules = {DEFAULT_NAME: default}
        self.tagger = TaggingService()
    return self.sampling_rules  # type: ignore[no-any-return]


def _arn(self: Any, name: str) -> str:
    from moto.utilities.utils import get_partition

    return f"arn:{get_partition(self.region_name)}:xray:{self.region_name}:{self.account_id}:" \
        f"sampling-rule/{name}"  # fmt: skip


def _find(self: Any, name: str | None, arn: str | None) -> SamplingRule:
    if name and arn:
        raise _invalid("Specify a sampling rule by either name or ARN, not both")
    for rule in _rules(self).values():
        if (name and rule.rule_name == name) or (arn and rule.rule["RuleARN"] == arn):
            return rule
    raise _invalid(f"Sampling rule {name or arn} does not exist")


def _by_arn(self: Any, arn: str) -> SamplingRule:
    for rule in _rules(self).values():
        if rule.rule["RuleARN"] == arn:
            return rule
    raise _error("ResourceNotFoundException", f"Resource {arn} not found", 404)


def create_sampling_rule(self: Any, rule: dict[str, Any], tags: list[dict[str, str]]) -> Any:
    missing = [f for f in ("RuleName", "Priority", "FixedRate", "ReservoirSize", "Version",
                           *MATCHERS) if rule.get(f) is None]  # fmt: skip
    if missing:
        raise _invalid(f"Missing required fields: {', '.join(missing)}")
    if int(rule["Version"]) != 1:
        raise _invalid("Version must be 1")
    _check_fields(rule)
    rules = _rules(self)
    if rule["RuleName"] in rules:
        raise _invalid(f"A sampling rule named {rule['RuleName']} already exists")
    kept = {k: v for k, v in rule.items() if k != "RuleARN"}
    created = SamplingRule(kept, _arn(self, rule["RuleName"]), time.time())
    if len(tags or []) > MAX_TAGS:
        raise _error("TooManyTagsException", f"A sampling rule takes at most {MAX_TAGS} tags")
    rules[created.rule_name] = created
    self.tagger.tag_resource(created.rule["RuleARN"], tags or [])
    return created


def get_sampling_rules(self: Any) -> list[SamplingRule]:
    return list(_rules(self).values())


def update_sampling_rule(self: Any, update: dict[str, Any]) -> Any:
    rule = _find(self, update.get("RuleName"), update.get("RuleARN"))
    changes = {k: v for k, v in update.items() if k not in ("RuleName", "RuleARN")}
    _check_fields(changes)
    if rule.rule_name == DEFAULT_NAME and set(changes) - {"FixedRate", "ReservoirSize"}:
        raise _invalid("The Default rule takes a new FixedRate and ReservoirSize only")
    rule.rule.update(changes)
    rule.modified_at = time.time()
    return rule


def delete_sampling_rule(self: Any, rule_name: str | None, rule_arn: str | None) -> Any:
    rule = _find(self, rule_name, rule_arn)
    if rule.rule_name == DEFAULT_NAME:
        raise _invalid("The Default sampling rule cannot be deleted")
    del _rules(self)[rule.rule_name]
    self.tagger.delete_all_tags_for_resource(rule.rule["RuleARN"])
    return rule


def tag_resource(self: Any, arn: str, tags: list[dict[str, str]]) -> None:
    _by_arn(self, arn)
    merged = {**self.tagger.get_tag_dict_for_resource(arn), **{t["Key"]: t["Value"] for t in tags}}
    if len(merged) > MAX_TAGS:
        raise _error("TooManyTagsException", f"A sampling rule takes at most {MAX_TAGS} tags")
    self.tagger.tag_resource(arn, tags)


def untag_resource(self: Any, arn: str, keys: list[str]) -> None:
    _by_arn(self, arn)
    self.tagger.untag_resource_using_names(arn, keys)


def list_tags_for_resource(self: Any, arn: str) -> list[dict[str, str]]:
    _by_arn(self, arn)
    return self.tagger.list_tags_for_resource(arn)["Tags"]  # type: ignore[no-any-return]


# -- responses (patched onto moto.xray.responses.XRayResponse) ---------------------------
def _record(rule: SamplingRule) -> str:
    return json.dumps({"SamplingRuleRecord": rule.to_record()})


def r_create_sampling_rule(self: Any) -> str:
    rule = self._get_param("SamplingRule")
    if not isinstance(rule, dict):
        raise _invalid("SamplingRule is required")
    return _record(self.xray_backend.create_sampling_rule(rule, self._get_param("Tags", [])))


def r_get_sampling_rules(self: Any) -> str:
    rules, token = self.xray_backend.get_sampling_rules(next_token=self._get_param("NextToken"))
    body: dict[str, Any] = {"SamplingRuleRecords": [r.to_record() for r in rules]}
    if token:
        body["NextToken"] = token
    return json.dumps(body)


def r_update_sampling_rule(self: Any) -> str:
    update = self._get_param("SamplingRuleUpdate")
    if not isinstance(update, dict):
        raise _invalid("SamplingRuleUpdate is required")
    return _record(self.xray_backend.update_sampling_rule(update))


def r_delete_sampling_rule(self: Any) -> str:
    name, arn = self._get_param("RuleName"), self._get_param("RuleARN")
    return _record(self.xray_backend.delete_sampling_rule(name, arn))


def r_tag_resource(self: Any) -> str:
    self.xray_backend.tag_resource(self._get_param("ResourceARN"), self._get_param("Tags", []))
    return "{}"


def r_untag_resource(self: Any) -> str:
    keys = self._get_param("TagKeys", [])
    self.xray_backend.untag_resource(self._get_param("ResourceARN"), keys)
    return "{}"


def r_list_tags_for_resource(self: Any) -> str:
    tags = self.xray_backend.list_tags_for_resource(self._get_param("ResourceARN"))
    return json.dumps({"Tags": tags})


def install() -> bool:
    """Route and serve the seven actions; False (nothing changed) when moto has them."""
    from moto.utilities.paginator import paginate
    from moto.xray import urls
    from moto.xray.models import XRayBackend
    from moto.xray.responses import XRayResponse

    if hasattr(XRayBackend, "create_sampling_rule"):
        return False
    pagination = {"get_sampling_rules": {"input_token": "next_token",
                                         "limit_default": PAGE_SIZE,
                                         "unique_attribute": "rule_name"}}  # fmt: skip
    backend = {
        "create_sampling_rule": create_sampling_rule,
        "get_sampling_rules": paginate(pagination)(get_sampling_rules),
        "update_sampling_rule": update_sampling_rule,
        "delete_sampling_rule": delete_sampling_rule,
        "tag_resource": tag_resource,
        "untag_resource": untag_resource,
        "list_tags_for_resource": list_tags_for_resource,
    }
    for name, function in backend.items():
        setattr(XRayBackend, name, function)
        setattr(XRayResponse, name, globals()[f"r_{name}"])
    for route in ROUTES:
        urls.url_paths.setdefault("{0}/" + route + "$", XRayResponse.dispatch)
    return True


EXTENSION = Extension(
    name="xray",
    service="xray",
    behaviour="X-Ray sampling rules (CreateSamplingRule, GetSamplingRules with NextToken, "
    "UpdateSamplingRule, DeleteSamplingRule) and their tags (TagResource, UntagResource, "
    "ListTagsForResource) as the X-Ray API reference documents them: SamplingRuleRecord with "
    "RuleARN, CreatedAt and ModifiedAt, Version 1, the undeletable Default rule, "
    "InvalidRequestException for a duplicate or missing rule, ResourceNotFoundException for "
    "an unknown ARN",
    limits="no sampling decisions (GetSamplingTargets, GetSamplingStatisticSummaries), no X-Ray "
    "groups, no service quota on the number of rules, no check of tag key characters or the "
    "reserved aws: prefix; the GetSamplingRules page size (100) is not documented by AWS",
    install=install,
)
