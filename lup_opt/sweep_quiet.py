"""A Dask worker plugin for the sweep's local cluster (imported only where dask.distributed is).

When a sweep ends, a worker's heartbeat that is already on its way when the worker starts
closing fails as the worker closes its own connections, and Dask logs that, with a traceback,
as "Failed to communicate with scheduler during heartbeat" (dask/distributed#7192): noise after
a sweep that succeeded. The plugin drops exactly that record, and only once its worker is
closing; the same failure while the worker runs is still logged.
"""

from __future__ import annotations

import logging

from distributed import WorkerPlugin
from distributed.core import Status

HEARTBEAT_FAILED = "Failed to communicate with scheduler during heartbeat"
_CLOSING = (Status.closing, Status.closing_gracefully, Status.closed)


class QuietHeartbeatAtClose(WorkerPlugin):
    name = "lup_opt-quiet-heartbeat-at-close"
    idempotent = True

    def setup(self, worker) -> None:
        # No teardown: Dask removes plugins before it closes the connections, and the
        # record comes after that.
        def keep(record: logging.LogRecord) -> bool:
            return not (worker.status in _CLOSING and record.getMessage().startswith(HEARTBEAT_FAILED))

        logging.getLogger("distributed.worker").addFilter(keep)
