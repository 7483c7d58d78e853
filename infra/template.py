"""infra/resources.yaml: the single definition of the stack, and the part of it moto can create.

`load_template()` parses the CloudFormation YAML (short-form intrinsics such as !Ref and !Sub become
their long form). `moto_template()` is the same template minus what moto 5.x's CloudFormation cannot
create (`infra/deploy.py` creates those directly from their properties) and minus the fragments that
only exist after `chalice package --merge-template`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

TEMPLATE_PATH = Path(__file__).with_name("resources.yaml")

# Resource types moto 5.x CloudFormation cannot create: deploy() creates them directly.
DIRECT_TYPES = {
    "AWS::Cognito::UserPool",
    "AWS::Cognito::UserPoolClient",
    "AWS::Cognito::UserPoolGroup",
    "AWS::S3::BucketPolicy",
}

# Fragments that only mean something once `chalice package --merge-template` has merged them
# into Chalice's SAM output (e.g. overrides of a generated function's event source): not deployed
# to moto; the local stack pumps the streams itself.
MERGE_ONLY_TYPES = {"AWS::Serverless::Function", "AWS::Serverless::Api"}

_INTRINSICS = (
    "Ref", "Sub", "GetAtt", "Join", "If", "Equals", "Not", "And", "Or", "Select", "Split", "FindInMap",
    "ImportValue", "GetAZs", "Base64", "Condition",
)  # fmt: skip


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !Sub …) into long form."""


def _cfn_tag(tag: str) -> Any:
    name = tag if tag in ("Ref", "Condition") else f"Fn::{tag}"

    def construct(loader: yaml.SafeLoader, node: yaml.Node) -> dict[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            value: Any = loader.construct_scalar(node)
            if tag == "GetAtt":
                value = value.split(".", 1)
        elif isinstance(node, yaml.SequenceNode):
            value = loader.construct_sequence(node, deep=True)
        else:
            value = loader.construct_mapping(node, deep=True)  # type: ignore[arg-type]
        return {name: value}

    return construct


for _tag in _INTRINSICS:
    _CfnLoader.add_constructor(f"!{_tag}", _cfn_tag(_tag))


def load_template(path: Path = TEMPLATE_PATH) -> dict[str, Any]:
    """Parse resources.yaml into plain dicts (intrinsics in long form)."""
    with path.open(encoding="utf-8") as fh:
        # _CfnLoader is a yaml.SafeLoader plus the CloudFormation tags: nothing is instantiated
        return yaml.load(fh, Loader=_CfnLoader)  # nosec B506


def refs(node: Any) -> set[str]:
    """Logical ids a template fragment refers to (Ref, GetAtt, ${X} / ${X.Attr} in Sub)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "Ref" and isinstance(value, str):
                found.add(value)
            elif key == "Fn::GetAtt":
                found.add(value[0])
            elif key == "Fn::Sub":
                text = value if isinstance(value, str) else value[0]
                for part in text.split("${")[1:]:
                    found.add(part.split("}", 1)[0].split(".", 1)[0])
            found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def moto_template(template: dict[str, Any]) -> dict[str, Any]:
    """The part of the template moto's CloudFormation can create, adapted to its quirks."""
    tpl = json.loads(json.dumps(template))
    tpl.pop("Globals", None)  # SAM-only: the merged template's function environment
    direct = {lid for lid, r in tpl["Resources"].items() if r["Type"] in DIRECT_TYPES | MERGE_ONLY_TYPES}
    for lid in direct:
        del tpl["Resources"][lid]
    tpl["Outputs"] = {k: v for k, v in tpl.get("Outputs", {}).items() if not refs(v) & direct}
    for res in tpl["Resources"].values():
        sse = res.get("Properties", {}).get("SSESpecification")
        if res["Type"] == "AWS::DynamoDB::Table" and sse:
            # moto reads the API's "Enabled", CloudFormation says "SSEEnabled".
            sse["Enabled"] = sse.get("SSEEnabled", False)
    return tpl
