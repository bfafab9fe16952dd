"""``lup-opt app``: the local web app (:mod:`lup_opt.app`) on one port of this machine.

FastAPI and uvicorn are imported inside the command, so that ``lup-opt --help`` stays fast and
a missing ``app`` extra is a one-line hint (exit 2), never a traceback.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from lup_opt.cli.common import EXIT_BAD_INPUT, err_console, fail, out_console

log = logging.getLogger(__name__)

DEFAULT_HOST, DEFAULT_PORT = "127.0.0.1", 8765


def server_config(workspace: Path, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, token: str | None = None,
                  slots: int = 1):
    """The uvicorn configuration of the app (and the token, made here when the host is not
    loopback and none is given)."""
    import uvicorn

    from lup_opt.app.security import is_loopback, new_token
    from lup_opt.app.server import create_app

    loopback = is_loopback(host)
    if not loopback and token is None:
        token = new_token()
    application = create_app(workspace, token=token, loopback=loopback, slots=slots)
    return uvicorn.Config(application, host=host, port=port, log_level="warning", access_log=False), token


def _workspace_of(folder: Path) -> tuple[Path, str | None]:
    """(workspace, scenario to open): a scenario folder opens in the working folder's workspace
    when it lies inside it (``lup-opt app scenarios/default`` from the repository), else in its
    parent's; any other folder is the workspace itself."""
    if not (folder / "scenario.yaml").is_file():
        return folder, None
    here, target = Path.cwd().resolve(), folder.resolve()
    root = here if here in target.parents else target.parent
    return root, target.relative_to(root).as_posix()


def app(
    workspace: Annotated[Path, typer.Argument(help="Folder of scenarios (runs are kept in its runs/ folder), or one "
                                                "scenario folder, opened in the working folder's workspace.")]
    = Path("."),
    port: Annotated[int, typer.Option(help="Port to listen on.", min=0, max=65535)] = DEFAULT_PORT,
    host: Annotated[str, typer.Option(help="Interface to listen on; beyond 127.0.0.1 a session token is needed.")]
    = DEFAULT_HOST,
    parallel: Annotated[int, typer.Option(help="Runs solved at once (each in a process of its own).", min=1)] = 1,
) -> None:
    """Start the local web app: edit scenarios, run them, see maps and reasons, compare plans."""
    try:
        import fastapi  # noqa: F401
        import uvicorn
    except ImportError:
        err_console.print("The web app needs its extra: pip install 'lup_opt[app]'", style="red", markup=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    from lup_opt.errors import LupOptError

    if not workspace.is_dir():
        fail(f"{workspace}: the workspace must be an existing folder")
    workspace, scenario = _workspace_of(workspace)
    try:
        config, token = server_config(workspace, host, port, slots=parallel)
    except LupOptError as exc:
        fail(str(exc))
    server = uvicorn.Server(config)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{port}/" + (f"?token={token}" if token else "") + (f"#/scenario/{scenario}" if scenario
                                                                                   else "")
    out_console.print(f"lup_opt app on {address}  (workspace {workspace.resolve()}; Ctrl+C stops it)",
                      markup=False, highlight=False, soft_wrap=True)
    if token:
        out_console.print("Listening beyond this machine: every request needs the token above.", markup=False)
    try:
        server.run()  # until Ctrl+C (or SIGTERM): the runs still going are stopped, their leftovers cleaned
    except KeyboardInterrupt:
        pass
    finally:
        out_console.print("lup_opt app stopped", markup=False, highlight=False)
