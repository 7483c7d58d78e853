"""A domain error's message reaches users (the SPA's field notes, partners' screens): it carries no rule id.

(Start-up errors for whoever deploys, e.g. a missing OIDC audience, may cite the rule they enforce.)"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from chalicelib.domain import errors

USER_FACING = {
    name for name, cls in vars(errors).items() if isinstance(cls, type) and issubclass(cls, errors.DomainError)
}
RULE_ID = re.compile(r"R-(?:12345|12369|WORK|SEC)-\d")
ROOT = Path(__file__).resolve().parents[2] / "chalicelib"


def _texts(node: ast.AST) -> list[str]:
    """Every string literal (and literal part of an f-string) inside a raise statement's exception."""
    return [n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)]


def _domain_error(exc: ast.expr | None) -> bool:
    return isinstance(exc, ast.Call) and isinstance(exc.func, ast.Name) and exc.func.id in USER_FACING


def test_the_check_sees_the_domain_errors() -> None:
    assert {"ValidationError", "Forbidden", "InvalidTransition", "Conflict"} <= USER_FACING
    sample = ast.parse('raise Forbidden("只有负责人可以（R-12345-03）")').body[0]
    assert isinstance(sample, ast.Raise) and _domain_error(sample.exc) and RULE_ID.search(_texts(sample.exc)[0])


def test_no_raised_message_names_a_rule_id() -> None:
    found = []
    for path in sorted(ROOT.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for raise_ in (n for n in ast.walk(tree) if isinstance(n, ast.Raise) and _domain_error(n.exc)):
            found += [f"{path.relative_to(ROOT)}:{raise_.lineno}: {t}" for t in _texts(raise_.exc) if RULE_ID.search(t)]
    assert found == []
