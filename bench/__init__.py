"""`make bench`: the system's performance figures beside their minimums (see bench/README.md)."""
