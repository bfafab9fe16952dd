"""``lup-opt app``: a local web app where a planner edits a scenario, runs it, sees the map and
the reasons, and compares plans, without a terminal.

Why FastAPI and uvicorn: a mature, widely used stack; FastAPI documents the JSON API that the
page itself uses (``/openapi.json``, shown offline at ``/docs`` by a page of our own), so scripts
can drive the same endpoints; pydantic is already how lup_opt validates scenarios; uvicorn is one
local process. Solves run in a process of their own each (:mod:`.jobs`), so a cancel really stops
HiGHS and the page never waits on a solver.

Layout (each module read from the ones below it):

- :mod:`.workspace`: the workspace folder; every path the app touches is confined to it.
- :mod:`.editing`: reading a scenario's files, validating an edited copy, saving valid files.
- :mod:`.worker`: what runs in a run's own process (load, solve or explain or frontier, write).
- :mod:`.jobs`: the queue of runs, their processes, progress and cancel.
- :mod:`.unit_map`: a results folder's land units as a raster of unit ids: PNG maps, clicks.
- :mod:`.views`: a results folder as the panels show it (LDN balance, targets, food, ...).
- :mod:`.comparing`: two runs side by side.
- :mod:`.security`: loopback binding, the session token, the Host check.
- :mod:`.server`: the FastAPI application (routes) and the static page in ``static/``.

FastAPI and uvicorn are the ``app`` extra (``pip install 'lup_opt[app]'``); only
:mod:`.server` imports them.
"""
