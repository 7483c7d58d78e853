"""`make totp USER=op1`: the current TOTP code of a demo user of the local stack (R-SEC-06).

Demo users are enrolled with a secret derived from their username (`identity.demo_secret`), so the code
needs no running stack. A user whose authenticator was reset and enrolled again has a secret of its own.
"""

from __future__ import annotations

import argparse

from chalicelib.services import identity


def main(argv: list[str] | None = None) -> None:
    """Print the user's current 6-digit code and how long it stays valid."""
    import pyotp

    parser = argparse.ArgumentParser(prog="python -m infra.totp", description=__doc__.split("\n")[0])
    parser.add_argument("user")
    args = parser.parse_args(argv)
    totp = pyotp.TOTP(identity.demo_secret(args.user))
    print(totp.now())


if __name__ == "__main__":
    main()
