"""SMS records in the Directory table and the sparse outbox of the sends that have not finished.

Items (pk / sk):
  SMS#{ticket} / {event_id}#{role}   one message per event and recipient (the claim: created once);
                                     office work (services/work.py) uses its record id as the "ticket"
      unfinished (pending, sending): gsi1 SMSDUE / {lease_until}#{state}{attempt}#{ticket}#{sk}
      finished (sent, failed):       gsi1 SMSLOG#{day} / {at}#{ticket}#{sk}   (the admin's day log)
  SMS#spend / {day}                  the day's spend in fen (`Directory.add_spend`)

`SMSDUE` holds only the sends in flight (a normal send leaves it within the same invocation), so
the deadline sweep finds the stuck ones with one Query bounded by `lease_until <= now`: its cost
follows the stuck sends, not the messages ever sent. The sort key is also the lock: every change of
an unfinished record writes its data together with a new sort key, conditional on the one the
writer saw (state letter p = pending, s = sending, r = released after an error; attempt number), so
two writers never both take one attempt and a stale index read can never win a write.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.storage.table import Absent, DirectoryTable, Equals, Item, KeyRange

DUE = "SMSDUE"


def stamp(at: datetime) -> str:
    """Fixed-width UTC instant: sort keys compare as the instants do."""
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def marker(lease_until: datetime, state: str, attempt: int, ticket_id: str, sk: str) -> str:
    """The outbox sort key of an unfinished record (state: p pending, s sending, r released)."""
    return f"{stamp(lease_until)}#{state}{attempt}#{ticket_id}#{sk}"


def restate(mark: str, state: str) -> str:
    """The same lease and attempt in another state."""
    lease, token, rest = mark.split("#", 2)
    return f"{lease}#{state}{token[1:]}#{rest}"


def key_of(record: dict[str, Any]) -> tuple[str, str]:
    """(pk, sk) of a message record."""
    return f"SMS#{record['ticket_id']}", f"{record['event_id']}#{record['role']}"


class SmsStore:
    """Message records: claim, conditional state changes, the outbox of unfinished sends, the logs."""

    def __init__(self, table: DirectoryTable) -> None:
        self.table = table

    def claim(self, record: dict[str, Any], lease_until: datetime) -> str | None:
        """Create the record of a new message (pending, attempt 1); its marker, or None if it exists."""
        item, mark = self.claim_item(record, lease_until)
        return mark if self.table.put(item, Absent()) else None

    @staticmethod
    def claim_item(record: dict[str, Any], lease_until: datetime) -> tuple[Item, str]:
        """The outbox item of a new message and its marker, for a caller that writes it (condition
        `Absent`) in the same transaction as the change the message is about (office work)."""
        pk, sk = key_of(record)
        mark = marker(lease_until, "p", int(record["attempts"]), record["ticket_id"], sk)
        return Item(pk, sk, record, DUE, mark), mark

    def change(self, record: dict[str, Any], seen: str, new: str) -> bool:
        """Write an unfinished record with a new marker if its marker is still `seen`; False if not."""
        pk, sk = key_of(record)
        return self.table.update(pk, sk, data=record, gsi1sk=new, cond=Equals("gsi1sk", seen))

    def finish(self, record: dict[str, Any], day: str, seen: str | None = None) -> bool:
        """Store the outcome and move the record from the outbox to its day's log.

        `seen`: only if the marker is still that one (a verdict on a stuck record); None: always (the
        writer that called the gateway holds the only true outcome).
        """
        pk, sk = key_of(record)
        item = Item(pk, sk, record, f"SMSLOG#{day}", f"{record['at']}#{record['ticket_id']}#{sk}")
        return self.table.put(item, None if seen is None else Equals("gsi1sk", seen))

    def due(self, until: datetime, limit: int = 100) -> list[tuple[str, dict[str, Any]]]:
        """(marker, record) of unfinished sends whose lease ended by `until`, oldest first."""
        items = self.table.items(DUE, KeyRange(below=stamp(until) + "$"), index=True, limit=limit)
        return [(str(i.gsi1sk), i.data) for i in items]

    def unfinished(self, limit: int = 200) -> list[dict[str, Any]]:
        """Every unfinished send (in flight or stuck), oldest lease first."""
        return [i.data for i in self.table.items(DUE, index=True, limit=limit)]

    def of_ticket(self, ticket_id: str) -> list[dict[str, Any]]:
        """Every message recorded on a ticket."""
        return [i.data for i in self.table.items(f"SMS#{ticket_id}")]

    def day_log(self, day: str, limit: int = 200) -> list[dict[str, Any]]:
        """The finished messages of one local day, newest first."""
        return [i.data for i in self.table.items(f"SMSLOG#{day}", index=True, limit=limit, newest_first=True)]
