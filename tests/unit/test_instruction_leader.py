"""R-12345-16: whose instruction it is — a leader's own, or a registered leader named by an operator."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import Forbidden, ValidationError
from chalicelib.domain.instructions import leader_of
from chalicelib.domain.model import Actor

LEADERS = {"leader1": "陈建国", "leader2": "林芳", "leader3": "林芳"}
OP1 = Actor("op1", "operator")
LEADER = Actor("leader1", "leader", name="陈建国")


def test_an_operator_names_a_registered_leader_by_name_or_account() -> None:
    assert leader_of({"leader_name": "陈建国"}, OP1, LEADERS) == ("leader1", "陈建国")
    assert leader_of({"leader_id": "leader2"}, OP1, LEADERS) == ("leader2", "林芳")
    with pytest.raises(ValidationError) as twice:
        leader_of({"leader_name": "林芳"}, OP1, LEADERS)  # two accounts of that name: say which
    assert "leader_id" in twice.value.fields["leader_name"]
    for body in ({"leader_name": "王县长"}, {}, {"leader_id": "op2"}, {"leader_id": ["leader1"]}):
        with pytest.raises(ValidationError):
            leader_of(body, OP1, LEADERS)


def test_a_leader_records_under_their_own_name_only() -> None:
    assert leader_of({}, LEADER, None) == ("leader1", "陈建国")
    assert leader_of({"leader_name": "陈建国"}, LEADER, None) == ("leader1", "陈建国")
    for body in ({"leader_name": "林芳"}, {"leader_id": "leader2"}):
        with pytest.raises(ValidationError) as refused:
            leader_of(body, LEADER, LEADERS)
        assert list(refused.value.fields) == ["leader_name"]


def test_without_an_account_directory_operators_cannot_name_a_leader() -> None:
    with pytest.raises(Forbidden):
        leader_of({"leader_name": "陈建国"}, OP1, None)
