"""One fix to the in-process moto the benchmark runs against: transactions without whole-table copies.

moto's TransactWriteItems deep-copies every table a transaction touches before writing (its
rollback), so on moto each transaction costs O(table size): seconds at 50,000 tickets, where
DynamoDB's cost does not depend on the table at all. It is also not thread-safe (a concurrent
write makes the copy fail). The patch checks every condition of the transaction first; when all
pass (the normal case) the original runs with the copy skipped, since nothing will be rolled
back; otherwise the original runs unchanged and fails exactly as before. Check and writes hold the
emulator's write lock (`infra.emulator.WRITE_LOCK`), so no other write slips in between.

Only this process's moto is patched (the server `bench` starts itself); the app is untouched.
"""

from __future__ import annotations

import copy
import threading
import types
from typing import Any

from infra import emulator

_local = threading.local()
_applied = False


def apply() -> None:
    """Patch moto's DynamoDB backend in this process (idempotent)."""
    global _applied
    if _applied:
        return
    import moto.dynamodb.models as mm

    def deepcopy(x: Any, memo: Any = None) -> Any:
        return x if getattr(_local, "skip", False) else copy.deepcopy(x, memo)

    mm.copy = types.SimpleNamespace(deepcopy=deepcopy, copy=copy.copy)  # type: ignore[attr-defined]
    original = mm.DynamoDBBackend.transact_write_items

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> Any:
        # Under the emulator's write lock: no other write may land between the check and the writes.
        with emulator.WRITE_LOCK:
            if not _conditions_pass(self, transact_items, mm):
                return original(self, transact_items)
            _local.skip = True
            try:
                return original(self, transact_items)
            finally:
                _local.skip = False

    mm.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    _applied = True


def _conditions_pass(backend: Any, items: list[dict[str, Any]], mm: Any) -> bool:
    seen: set[tuple[str, str]] = set()
    try:
        for item in items:
            if len(item) != 1:
                return False
            op_type, op = next(iter(item.items()))
            name = op["TableName"]
            table = backend.get_table(name)
            if op_type == "Put":
                attrs = op["Item"]
                key = {table.hash_key_attr: attrs[table.hash_key_attr]}
                if table.range_key_attr is not None:
                    key[table.range_key_attr] = attrs[table.range_key_attr]
            else:
                key = op["Key"]
            ident = (name, str(sorted(key.items())))
            if ident in seen:
                return False
            seen.add(ident)
            condition = op.get("ConditionExpression")
            if condition is not None:
                current = backend.get_item(name, key)
                expr = mm.get_filter_expression(
                    condition, op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
                )
                if not expr.expr(current):
                    return False
    except Exception:  # noqa: BLE001 - anything odd: let the original decide
        return False
    return True
