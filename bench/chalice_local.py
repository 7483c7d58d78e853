"""`chalice local` with TCP_NODELAY on accepted sockets: `python -m bench.chalice_local local --port …`.

Stock `chalice local` answers HTTP/1.1 keep-alive requests with two writes (headers, then body);
with Nagle's algorithm on the server and delayed ACKs on the Linux client, every response then
waits ~40 ms for an ACK. That is an artefact of the dev server (API Gateway has nothing like it)
and would swamp every HTTP figure, so the benchmark starts the same CLI with Nagle disabled.
"""

import socketserver
import sys

socketserver.StreamRequestHandler.disable_nagle_algorithm = True

from chalice.cli import main  # noqa: E402 - after the patch

sys.exit(main())
