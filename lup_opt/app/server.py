"""The FastAPI application: the page (``static/``), its JSON API and the API's documentation.

``create_app(workspace)`` gives the application; :mod:`lup_opt.cli.webapp` serves it with
uvicorn. The API is documented by FastAPI's OpenAPI schema at ``/openapi.json``; FastAPI's own
``/docs`` page loads Swagger UI from a CDN, so it is switched off and ``/docs`` is a small page
of ours (``static/api.html``) that lists the same schema offline.

Handlers that read folders or draw maps are plain functions: FastAPI runs them in its thread
pool, so a slow map never holds up another request; solves run in processes of their own.
"""

from __future__ import annotations

import json
import logging
import threading
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from lup_opt.app import comparing, editing, views
from lup_opt.app.jobs import DONE, LOG_LINES, Run, RunManager
from lup_opt.app.security import Guard
from lup_opt.app.unit_map import MapCache
from lup_opt.app.workspace import OutsideWorkspace, Workspace
from lup_opt.errors import LupOptError
from lup_opt.results.io import read_solver_log

log = logging.getLogger(__name__)

STATIC = Path(str(files("lup_opt.app") / "static"))


@dataclass
class AppState:
    workspace: Workspace
    runs: RunManager
    maps: MapCache = field(default_factory=MapCache)
    folders: views.FolderCache = field(default_factory=views.FolderCache)
    maps_lock: threading.Lock = field(default_factory=threading.Lock)


# Requests ----------------------------------------------------------------------------------------


class EditBody(BaseModel):
    name: str = Field(description="The scenario, by its name in GET /api/scenarios")
    files: dict[str, str] = Field(default_factory=dict, description="file name -> new text (scenario.yaml, CSVs)")
    variants: list[str] = Field(default_factory=list)
    overrides: list[str] = Field(default_factory=list, description="--set overrides, key=value")
    checks: bool = Field(False, description="Also build the model and run the checks before solving")


class RunBody(BaseModel):
    scenario: str = Field(description="The scenario, by its name in GET /api/scenarios")
    kind: Literal["solve", "explain", "evaluate", "frontier", "alternatives"] = Field(
        "solve", description="solve, explain, evaluate (business as usual against the targets), frontier or alternatives")
    variants: list[str] = Field(default_factory=list)
    overrides: list[str] = Field(default_factory=list, description="--set overrides, key=value")
    time_limit: float | None = Field(None, gt=0, description="Seconds the whole run may take")
    report: bool = Field(False, description="Also write report.html (a solve)")
    objectives: list[str] | None = Field(None, description="A frontier's objectives (default objective,ldn_net)")
    points: int = Field(7, ge=2, le=41, description="A frontier's points")
    slack: float = Field(0.05, ge=0, le=1, description="Alternatives: share of the optimum they may cost more")
    count: int = Field(3, ge=1, le=10, description="Alternatives: how many")


class BatchBody(BaseModel):
    scenario: str
    grid: dict[str, list[Any]] = Field(description="key -> values; one solve per combination")
    variants: list[str] = Field(default_factory=list)
    overrides: list[str] = Field(default_factory=list)


# The application ---------------------------------------------------------------------------------


def create_app(workspace: str | Path, *, token: str | None = None, loopback: bool = True,
               slots: int = 1) -> FastAPI:
    """The app for ``workspace``. ``token``: required on every request (give one whenever the app
    listens beyond loopback); ``loopback``: requests must name a loopback host."""
    if not (STATIC / "index.html").is_file():  # a non-editable install without the package data
        raise LupOptError(f"{STATIC}: the app's page is missing from this installation of lup_opt; reinstall it")
    state = AppState(Workspace.at(workspace), RunManager(Workspace.at(workspace), slots))

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        state.runs.start()
        yield
        state.runs.close()

    app = FastAPI(title="lup_opt app", version=_version(), lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Edit scenarios, run them in the background, read their results and compare them.")
    app.state.lup = state
    app.add_middleware(Guard, token=token, loopback=loopback)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(_routes())
    _errors(app)
    return app


def _version() -> str:
    from importlib.metadata import version

    return version("lup_opt")


def _errors(app: FastAPI) -> None:
    @app.exception_handler(OutsideWorkspace)
    async def outside(request: Request, exc: OutsideWorkspace):
        return JSONResponse({"detail": f"refused: {exc}"}, 403)

    @app.exception_handler(KeyError)
    async def missing(request: Request, exc: KeyError):
        return JSONResponse({"detail": f"not found: {exc.args[0] if exc.args else ''}"}, 404)

    @app.exception_handler(LupOptError)
    async def bad(request: Request, exc: LupOptError):
        return JSONResponse({"detail": str(exc)}, 400)


def _state(request: Request) -> AppState:
    return request.app.state.lup


def _routes():
    from fastapi import APIRouter

    api = APIRouter()

    @api.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    @api.get("/docs", include_in_schema=False)
    def docs():
        return FileResponse(STATIC / "api.html")

    # Scenarios -----------------------------------------------------------------------------------

    @api.get("/api/scenarios", tags=["scenarios"], summary="The workspace's scenarios by name")
    def scenarios(request: Request) -> list[dict[str, Any]]:
        out = []
        for name in _state(request).workspace.scenarios():
            try:
                detail = editing.scenario_detail(_state(request).workspace, name)
            except (OSError, UnicodeDecodeError):
                continue
            out.append({k: detail[k] for k in ("name", "title", "description", "variants")})
        return out

    @api.get("/api/scenarios/schema", tags=["scenarios"], summary="The JSON schema of scenario.yaml (for key hints)")
    def scenario_schema() -> dict[str, Any]:
        from lup_opt.scenario.config import ScenarioConfig

        return ScenarioConfig.model_json_schema()

    @api.get("/api/scenarios/detail", tags=["scenarios"], summary="scenario.yaml, its tables and variants")
    def scenario_detail(request: Request, name: str) -> dict[str, Any]:
        return editing.scenario_detail(_state(request).workspace, name)

    @api.get("/api/scenarios/table", tags=["scenarios"], summary="One CSV table of a scenario, as rows of text")
    def scenario_table(request: Request, name: str, file: str) -> dict[str, Any]:
        return editing.read_grid(_state(request).workspace, name, file)

    @api.post("/api/scenarios/validate", tags=["scenarios"],
              summary="Validate an edited scenario (nothing is written); the CLI's messages")
    def validate(request: Request, body: EditBody) -> dict[str, Any]:
        issues = editing.validate(_state(request).workspace, body.name, body.files, body.variants, body.overrides,
                                  body.checks)
        return {"valid": not any(i["severity"] == "error" for i in issues), "issues": issues}

    @api.post("/api/scenarios/save", tags=["scenarios"], summary="Save edited files, only when they are valid")
    def save(request: Request, body: EditBody) -> JSONResponse:
        issues = editing.save(_state(request).workspace, body.name, body.files)
        return JSONResponse({"saved": not issues, "issues": issues}, 200 if not issues else 422)

    # Runs ----------------------------------------------------------------------------------------

    @api.get("/api/runs", tags=["runs"], summary="Every run: queued, running, finished and kept")
    def runs(request: Request) -> list[dict[str, Any]]:
        return [run.summary() for run in _state(request).runs.all()]

    @api.post("/api/runs", tags=["runs"], status_code=201, summary="Queue a run of a scenario")
    def start(request: Request, body: RunBody) -> dict[str, Any]:
        options = body.model_dump(exclude={"scenario", "kind", "variants", "overrides"}, exclude_none=True)
        run = _state(request).runs.submit(body.scenario, body.kind, body.variants, body.overrides, options)
        return run.summary()

    @api.post("/api/runs/batch", tags=["runs"], status_code=201, summary="Queue one solve per combination of values")
    def batch(request: Request, body: BatchBody) -> list[dict[str, Any]]:
        started = _state(request).runs.submit_batch(body.scenario, body.grid, variants=body.variants,
                                                    overrides=body.overrides)
        return [run.summary() for run in started]

    @api.get("/api/runs/{run_id}", tags=["runs"], summary="A run's status, progress and result summary")
    def run_status(request: Request, run_id: str) -> dict[str, Any]:
        state = _state(request)
        run = state.runs.get(run_id)
        out = {**run.summary(), "progress": run.progress()}
        if run.state == DONE:
            folder = state.runs.folder(run_id)
            out["result"] = views.summary(state.folders.open(folder))
            log_lines = read_solver_log(folder).splitlines()
            if len(log_lines) > len(out["progress"]["highs"]):  # the whole log, kept with the results
                out["progress"].update(highs=log_lines[-LOG_LINES:], highs_lines=len(log_lines))
        return out

    @api.post("/api/runs/{run_id}/cancel", tags=["runs"], summary="Cancel a queued or running run")
    def cancel(request: Request, run_id: str) -> dict[str, Any]:
        return _state(request).runs.cancel(run_id).summary()

    @api.post("/api/runs/{run_id}/relax", tags=["runs"], status_code=201,
              summary="A new run with the relaxation the diagnosis suggests")
    def relax(request: Request, run_id: str) -> dict[str, Any]:
        state = _state(request)
        run = _finished(state, run_id)
        found = views.diagnosis(state.runs.folder(run_id))
        if not found or not found["overrides"]:
            raise HTTPException(409, "this run has no suggested relaxation")
        new = state.runs.submit(run.scenario, "solve", run.variants, [*run.overrides, *found["overrides"]],
                                parent=run.id)
        return new.summary()

    @api.get("/api/runs/{run_id}/report", tags=["results"], summary="The run's report.html")
    def report(request: Request, run_id: str):
        path = _plan_folder(_state(request), run_id, None) / "report.html"
        if not path.is_file():
            raise HTTPException(404, "this run has no report.html (run it with report on)")
        return FileResponse(path)

    for name, maker in (("ldn", views.ldn_balance), ("targets", views.targets), ("panels", views.panels),
                        ("diagnosis", views.diagnosis), ("frontier", views.frontier), ("summary", views.summary)):
        api.add_api_route(f"/api/runs/{{run_id}}/{name}", _panel(maker), methods=["GET"], tags=["results"],
                          summary=f"The run's {name} panel", name=f"panel_{name}")

    @api.get("/api/runs/{run_id}/map.png", tags=["maps"], summary="A map of the run as a PNG",
             responses={200: {"content": {"image/png": {}}}})
    def map_png(request: Request, run_id: str, layer: str = "use", year: int | None = None,
                plan: str | None = None) -> Response:
        state = _state(request)
        folder = _plan_folder(state, run_id, plan)
        colours, _ = views.layer(state.folders.open(folder), layer, year)
        return _png(state, folder, colours)

    @api.get("/api/runs/{run_id}/map", tags=["maps"], summary="A map's legend, size and note")
    def map_info(request: Request, run_id: str, layer: str = "use", year: int | None = None,
                 plan: str | None = None) -> dict[str, Any]:
        state = _state(request)
        folder = _plan_folder(state, run_id, plan)
        _, legend = views.layer(state.folders.open(folder), layer, year)
        raster = _raster(state, folder)
        return {"legend": legend, "width": raster.shape[1], "height": raster.shape[0], "kind": raster.kind,
                "note": raster.note}

    @api.get("/api/runs/{run_id}/unit", tags=["maps"], summary="The land unit at a point of the map, or by id")
    def unit(request: Request, run_id: str, x: float | None = Query(None, ge=0, le=1),
             y: float | None = Query(None, ge=0, le=1), land_unit: str | None = None, year: int | None = None,
             plan: str | None = None) -> dict[str, Any]:
        state = _state(request)
        folder = _plan_folder(state, run_id, plan)
        if land_unit is None:
            if x is None or y is None:
                raise HTTPException(422, "give x and y (shares of the map's width and height) or land_unit")
            land_unit = _raster(state, folder).unit_at(x, y)
            if land_unit is None:
                return {"land_unit": None}
        return views.unit_detail(state.folders.open(folder), land_unit, year)

    # Comparing -----------------------------------------------------------------------------------

    @api.get("/api/compare", tags=["compare"], summary="Two runs side by side (B - A) and their input changes")
    def compare(request: Request, a: str, b: str) -> dict[str, Any]:
        state = _state(request)
        return comparing.compare(_plan_folder(state, a, None), _plan_folder(state, b, None))

    @api.get("/api/compare/map.png", tags=["compare"], summary="Where the two runs' planned uses differ",
             responses={200: {"content": {"image/png": {}}}})
    def compare_map(request: Request, a: str, b: str, year: int | None = None) -> Response:
        state = _state(request)
        folder_a, folder_b = _plan_folder(state, a, None), _plan_folder(state, b, None)
        colours, _, count = views.difference_layer(state.folders.open(folder_a), state.folders.open(folder_b), year)
        return _png(state, folder_a, colours, {"X-Units-Differing": str(count)})

    return api


def _panel(maker):
    def handler(request: Request, run_id: str, plan: str | None = None) -> Any:
        state = _state(request)
        return maker(state.folders.open(_plan_folder(state, run_id, plan)))

    return handler


def _finished(state: AppState, run_id: str) -> Run:
    run = state.runs.get(run_id)
    if run.state != DONE:
        raise HTTPException(409, f"run {run_id} is {run.state}: it has no results yet")
    return run


def _plan_folder(state: AppState, run_id: str, plan: str | None) -> Path:
    """A finished run's folder, or one of its plans (a frontier's point, an alternative): only a
    plan its manifest lists, and only inside the workspace."""
    _finished(state, run_id)
    folder = state.runs.folder(run_id)
    if plan is None:
        return folder
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    if plan not in (manifest.get("plans") or []):
        raise KeyError(plan)
    return state.workspace.inside(f"{state.workspace.relative(folder)}/plans/{plan}")


def _raster(state: AppState, folder: Path):
    with state.maps_lock:
        try:
            return state.maps.get(folder)
        except LookupError as exc:
            raise HTTPException(409, str(exc)) from None


def _png(state: AppState, folder: Path, colours, headers: dict[str, str] | None = None) -> Response:
    png = _raster(state, folder).png(colours)
    return Response(png, media_type="image/png", headers={"Cache-Control": "private, max-age=300", **(headers or {})})
