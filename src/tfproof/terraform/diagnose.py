"""Why an offline plan could not work here, in one sentence, and what the user can do instead.

tfproof plans a module with only the bundled AWS provider 3.39.0 (a filesystem
mirror), fake credentials and no network. Three kinds of module cannot be planned
that way, and Terraform's own words for them ("no available releases match",
"No valid credential sources found", "dial tcp ... no such host") do not say so.
`diagnose` reads Terraform's output of the failed `init` or `plan` and the text of
the module's files (pure: text in, a `Diagnosis` or None out) and names the cause:

- `provider`: a provider the mirror cannot supply (an AWS constraint 3.39.0 does not
  meet, or another provider such as hashicorp/random or integrations/github);
- `data_source`: a data source that calls AWS during plan (aws_caller_identity ...);
- `remote_state`: a `terraform_remote_state` data source, which reads a remote backend;
- `backend`: a backend or `cloud {}` block tfproof could not replace by a local one.

None means "not one of these": the caller keeps Terraform's message as it is.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tfproof.terraform.hcl import backends, block_bodies, strip_comments, terraform_blocks

BUNDLED = "hashicorp/aws 3.39.0"

PLAN_ELSEWHERE = (
    "make the plan where it can work, e.g. in your own CI (`terraform plan -out tf.plan && "
    "terraform show -json tf.plan > plan.json`), and scan that with "
    "`tfproof scan --plan plan.json`"
)
REGISTRY = (
    "set TFPROOF_PROVIDER_SOURCE=registry where the public Terraform registry is reachable, "
    "so that Terraform may download the providers the module asks for"
)
REGISTRY_SET = (
    "rerun where registry.terraform.io is reachable (TFPROOF_PROVIDER_SOURCE=registry is set, "
    "but the registry could not be used from here)"
)

# Terraform's (and the AWS SDK's) words for "the network or credentials were not there"
_OFFLINE = re.compile(
    r"RequestError|send request failed|no such host|dial tcp|i/o timeout|connection refused|"
    r"network is unreachable|context deadline exceeded|giving up after|NoCredentialProviders|"
    r"no valid credential sources|failed to refresh cached credentials|EC2 IMDS|"
    r"InvalidClientTokenId|UnrecognizedClientException|AuthFailure|security token included|"
    r"ExpiredToken|SignatureDoesNotMatch|AccessDenied|credentials|discovery document|"
    r"Failed to get existing workspaces|Error loading state|Required token could not be found|"
    r"Error configuring the backend|Error refreshing state",
    re.IGNORECASE,
)
_PROVIDER_QUERY = re.compile(
    r"(?:available versions for provider|Error while installing|locked provider)\s+"
    r"(?:registry\.terraform\.io/)?([\w.-]+/[\w.-]+)"
)
_CONSTRAINT = re.compile(
    r"(?:no available releases match the given constraints|does not match configured version "
    r"constraint)\s+(.+?)(?:;|\s+To see which modules|\s*$)"
)
_WITH_DATA = re.compile(r"\bwith\s+((?:module\.[\w-]+(?:\[[^\]]*\])?\.)*data\.[\w-]+\.[\w-]+)")
_REMOTE_STATE = re.compile(r'data\s+"terraform_remote_state"\s+"([\w-]+)"\s*\{')
_REMOTE_STATE_BACKEND = re.compile(r'\bbackend\s*=\s*"([^"]+)"')
_REQUIRED = re.compile(r"^\s*required_providers\s*\{", re.MULTILINE)
_ENTRY = re.compile(r"([\w-]+)\s*=\s*\{([^{}]*)\}")


@dataclass(frozen=True)
class Diagnosis:
    """The cause (`provider`, `data_source`, `remote_state`, `backend`) and the paragraph."""

    cause: str
    sentence: str
    ways_out: str

    @property
    def message(self) -> str:
        """One paragraph: the cause in one sentence, then the ways out."""
        return f"{self.sentence} Ways out: {self.ways_out}."


def errors(output: str) -> list[str]:
    """Terraform's `Error:` diagnostics, each folded to one line (no colour, box or wrap)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", output)
    lines = [raw.strip().strip("│╷╵").strip() for raw in text.splitlines()]
    blocks: list[list[str]] = []
    for line in lines:
        if line.startswith("Error:"):
            blocks.append([])
        if blocks and line:
            blocks[-1].append(line)
    return [re.sub(r"\s+", " ", " ".join(block)) for block in blocks]


def required_providers(sources: Mapping[str, str]) -> dict[str, str]:
    """`namespace/type` -> version constraint, from every `required_providers` block."""
    found: dict[str, str] = {}
    for text in sources.values():
        for terraform in terraform_blocks(text):
            for body in block_bodies(terraform, _REQUIRED):
                for local, entry in _ENTRY.findall(body):
                    source = re.search(r'source\s*=\s*"([^"]+)"', entry)
                    version = re.search(r'version\s*=\s*"([^"]+)"', entry)
                    name = source.group(1) if source else f"hashicorp/{local}"
                    name = name.removeprefix("registry.terraform.io/").lower()
                    if version:
                        found[name] = version.group(1)
    return found


def _providers(blocks: list[str], sources: Mapping[str, str], registry: bool) -> Diagnosis | None:
    wanted: dict[str, str] = {}
    for block in blocks:
        if "provider" not in block.lower():
            continue
        for match in _PROVIDER_QUERY.finditer(block):
            name = match.group(1).lower()
            constraint = _CONSTRAINT.search(block[match.end():])
            declared = required_providers(sources).get(name)
            wanted[name] = (constraint.group(1).strip() if constraint else declared) or ""
    if not wanted:
        return None
    named = ", ".join(f"{name} {c}".strip() if c else f"{name} (any version)"
                      for name, c in sorted(wanted.items()))
    verb = "needs the provider" if len(wanted) == 1 else "needs the providers"
    sentence = (
        f"This module {verb} {named}, which tfproof cannot install offline: only {BUNDLED} "
        "is bundled (in a filesystem mirror), and Terraform is not allowed to reach the registry."
    )
    if registry:
        sentence = (f"This module {verb} {named}, and Terraform could not install "
                    f"{'it' if len(wanted) == 1 else 'them'} from here (tfproof bundles only "
                    f"{BUNDLED}).")
    ways = f"{PLAN_ELSEWHERE}; or {REGISTRY_SET if registry else REGISTRY}"
    return Diagnosis("provider", sentence, ways)


def _data_sources(blocks: list[str]) -> Diagnosis | None:
    addresses = []
    for block in blocks:
        found = _WITH_DATA.search(block)
        if (found and "terraform_remote_state" not in found.group(1) and _OFFLINE.search(block)
                and found.group(1) not in addresses):
            addresses.append(found.group(1))
    if not addresses:
        return None
    sentence = (
        f"{_data_sources_that(addresses, 'calls', 'call')} AWS during `terraform plan`, and an "
        "offline plan has neither AWS credentials nor network to answer it."
    )
    ways = (f"{PLAN_ELSEWHERE} (with real credentials there); or pass the value as a variable "
            "instead of looking it up")
    return Diagnosis("data_source", sentence, ways)


def _data_sources_that(addresses: list[str], verb: str, plural_verb: str) -> str:
    """The start of a cause: `The data source X calls` or `The data sources X, Y call`."""
    if len(addresses) == 1:
        return f"The data source {addresses[0]} {verb}"
    return f"The data sources {', '.join(addresses)} {plural_verb}"


def _remote_states(sources: Mapping[str, str]) -> list[str]:
    found = []
    for text in sources.values():
        text = strip_comments(text)
        for match in _REMOTE_STATE.finditer(text):
            body = block_bodies(text[match.start():], _REMOTE_STATE)[0]
            kind = _REMOTE_STATE_BACKEND.search(body)
            where = f' (backend "{kind.group(1)}")' if kind else ""
            found.append(f"data.terraform_remote_state.{match.group(1)}{where}")
    return found


def _backends(sources: Mapping[str, str]) -> list[str]:
    return [f"{backend} ({name})" for name, text in sorted(sources.items())
            for backend in backends(text)]


def diagnose(
    output: str, sources: Mapping[str, str], stage: str, registry: bool = False
) -> Diagnosis | None:
    """The cause of a failed offline `init`/`plan`, or None when it is none of the known ones.

    `output`: Terraform's stderr (raw, or already folded); `sources`: file name -> text of
    the module's `.tf` files; `stage`: "init" or "plan"; `registry`: whether
    TFPROOF_PROVIDER_SOURCE=registry was in effect.
    """
    blocks = errors(output) or ([re.sub(r"\s+", " ", output)] if output.strip() else [])
    found = _providers(blocks, sources, registry)
    if found is not None:
        return found
    found = _data_sources(blocks)
    if found is not None:
        return found
    offline = [b for b in blocks if _OFFLINE.search(b)]
    if not offline:
        return None
    remote = _remote_states(sources)
    named_remote = [b for b in offline if "data.terraform_remote_state." in b]
    if stage == "plan" and remote and (named_remote or not any(" with " in b for b in offline)):
        sentence = (
            f"{_data_sources_that(remote, 'reads', 'read')} another configuration's state from "
            "a remote backend during `terraform plan`, which needs network and credentials an "
            "offline plan does not have."
        )
        ways = (f"{PLAN_ELSEWHERE} (where that state is readable); or pass those outputs as "
                "variables instead of reading the remote state")
        return Diagnosis("remote_state", sentence, ways)
    backends = _backends(sources)
    if stage == "init" and backends:
        sentence = (
            f"The module's {', '.join(backends)} needs network and credentials to reach its "
            "state, which an offline plan does not have, and tfproof did not replace it by a "
            "local backend here."
        )
        # tfproof replaces every backend it finds in a .tf file's `terraform {}` block by a
        # local one (workspace.copy_tree); one it could not replace leaves only this way out
        return Diagnosis("backend", sentence, PLAN_ELSEWHERE)
    return None
