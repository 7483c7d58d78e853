"""`chalice local` as the local stack and the benchmark run it: `python -m infra.chalice_local local --port …`.

Two settings of the stock dev server that do not hold under a county office's traffic:

* Nagle: it answers HTTP/1.1 keep-alive requests with two writes (headers, then body); with
  Nagle's algorithm on the server and delayed ACKs on the Linux client, every response then waits
  ~40 ms for an ACK (API Gateway has nothing like it). Accepted sockets get TCP_NODELAY.
* The listen backlog: Python's HTTPServer accepts a queue of 5 connections; ten clients racing on
  one ticket overflow it and the kernel resets the rest ("connection reset by peer"). 128 here.
* Methods API Gateway has no resource method for (TRACE, CONNECT, QUERY …): the stock server answers
  its own HTML 501; here they go through the app like any method a route lacks, so they get the 404 in the
  error shape that the gateway's MISSING_AUTHENTICATION_TOKEN response gives in the cloud
  (chalicelib/api/fallback.py).
"""

import socketserver
import sys

socketserver.StreamRequestHandler.disable_nagle_algorithm = True

from chalice import local  # noqa: E402 - after the patch
from chalice.cli import main  # noqa: E402

local.ThreadedHTTPServer.request_queue_size = 128


def _any_method(self: local.ChaliceRequestHandler, name: str) -> object:
    """`do_<METHOD>` for every method the stock handler lacks: through the app like the others."""
    if name.startswith("do_"):
        return self._generic_handle
    raise AttributeError(name)


local.ChaliceRequestHandler.__getattr__ = _any_method  # type: ignore[attr-defined]

sys.exit(main())
