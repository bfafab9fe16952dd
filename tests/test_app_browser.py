"""lup-opt app in a real browser: Playwright drives Debian's headless Chromium (installed by
.ci/run, as for the report test) against the app served by uvicorn on a free loopback port, on
a workspace holding copies of the shipped scenarios. Screenshots go to test-artifacts/app/."""

from __future__ import annotations

import re
import shutil
import socket
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.conftest import REPO, SCENARIOS

# A browser per module and a solve per test: the full suite runs them; the quick subset tests the
# same API through test_app_api.
pytestmark = pytest.mark.slow

pytest.importorskip("fastapi", reason="needs the app extra: pip install 'lup_opt[app]'")
sync_api = pytest.importorskip("playwright.sync_api", reason="needs playwright (the test extra)")

CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "")
                 if p and Path(p).exists()), None)
if CHROMIUM is None:
    pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium)", allow_module_level=True)

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
SHOTS = REPO / "test-artifacts" / "app"
SOLVE_TIMEOUT_MS = 120_000
expect = sync_api.expect


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    """The app on a workspace of the shipped scenarios, served as ``lup-opt app`` serves it."""
    import uvicorn

    from lup_opt.cli.webapp import server_config

    workspace = tmp_path_factory.mktemp("app") / "workspace"
    shutil.copytree(SCENARIOS, workspace, ignore=shutil.ignore_patterns("*.md", "*.py"))
    port = _free_port()
    config, _ = server_config(workspace, port=port)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(15)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1440, "height": 1000}, device_scale_factor=1)
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("requestfailed", lambda request: errors.append(f"request failed: {request.url}"))
    yield page
    context.close()
    assert not errors, errors


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_scenario(page, app_url: str, name: str) -> None:
    page.goto(f"{app_url}/#/scenario/{name}")
    expect(page.locator("#run-button")).to_be_visible()


def run_and_wait(page, state: str = "done") -> str:
    page.locator("#run-button").click()
    expect(page.locator(".run-head .pill").first).to_have_text(state, timeout=SOLVE_TIMEOUT_MS)
    return page.locator(".run-head h1").inner_text()


def offline_only(page, app_url: str) -> None:
    """Every request the page made went to the app itself."""
    hosts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert all(h.startswith(app_url) for h in hosts), hosts


def test_an_invalid_edit_shows_the_field_error_and_is_not_saved(page, app_url):
    open_scenario(page, app_url, "tiny")
    editor = page.locator("#yaml-editor")
    text = editor.input_value()
    editor.fill(text.replace("value: 390", "value: lots"))
    expect(page.locator("#validity")).to_have_text("1 issue")
    issue = page.locator("#edit-issues .issue").first
    expect(issue).to_contain_text("targets.cereal.value")
    expect(issue).to_contain_text("Input should be a valid number")
    line = text.splitlines().index("    value: 390") + 1
    expect(page.locator(".gutter .bad")).to_have_text(str(line))  # the field's line is marked
    expect(page.locator("#save-button")).to_be_disabled()
    shot(page, "invalid_edit")
    editor.fill(text)  # the loader reads the tables once scenario.yaml is valid
    expect(page.locator("#validity")).to_have_text("valid")
    page.locator("[data-file='units.csv']").click()
    cell = page.locator("input.cell[data-row='1'][data-col='1']")
    cell.fill("-5")
    expect(page.locator("#edit-issues")).to_contain_text("line 3, column 'area_ha'")
    expect(page.locator("tr.bad td.badcell")).to_have_count(1)
    expect(page.locator("#save-button")).to_be_disabled()
    shot(page, "invalid_table_edit")
    # Nothing was written: the scenario on disk still reads as it did.
    page.reload()
    expect(page.locator("#yaml-editor")).to_have_value(re.compile("value: 390"))
    page.locator("[data-file='units.csv']").click()
    expect(page.locator("input.cell[data-row='1'][data-col='1']")).to_have_value("100")
    offline_only(page, app_url)


def test_the_infeasible_scenario_shows_its_diagnosis_and_the_relaxation_solves(page, app_url):
    open_scenario(page, app_url, "infeasible")
    run_and_wait(page)
    diagnosis = page.locator("#diagnosis")
    expect(diagnosis).to_contain_text("target 'housing'")
    expect(diagnosis).to_contain_text("--set targets.housing.value=")
    expect(page.locator(".run-head")).to_contain_text("infeasible")
    shot(page, "infeasible_diagnosis")
    page.locator("#relax-button").click()
    expect(page.locator(".run-head")).to_contain_text("relaxes")
    expect(page.locator(".run-head .pill").first).to_have_text("done", timeout=SOLVE_TIMEOUT_MS)
    expect(page.locator(".run-head")).to_contain_text("optimal")
    expect(page.locator("#map-image")).to_be_visible()
    shot(page, "relaxation_solved")


def test_compare_two_runs_of_tiny(page, app_url):
    open_scenario(page, app_url, "tiny")
    first = run_and_wait(page)
    open_scenario(page, app_url, "tiny")
    page.locator("#add-override").click()
    page.locator("input.override").fill("targets.housing.value=2200")
    second = run_and_wait(page)
    page.goto(f"{app_url}/#/compare?{urlencode({'a': first, 'b': second})}")
    expect(page.locator("#input-changes")).to_contain_text("targets.housing.value")
    expect(page.locator("#difference-map")).to_be_visible()


def test_an_override_with_a_wrong_key_is_shown_at_its_row(page, app_url):
    open_scenario(page, app_url, "tiny")
    page.locator("#add-override").click()
    page.locator("input.override").fill("ldn.scoop=jurisdiction")
    expect(page.locator(".override-row .field-error")).to_contain_text("did you mean 'scope'")
    expect(page.locator("#run-button")).to_be_disabled()


def test_solve_the_default_see_the_map_and_the_ldn_balance_then_compare_a_variant(page, app_url):
    start = time.perf_counter()
    open_scenario(page, app_url, "default")
    page.locator("#run-button").click()
    expect(page.locator("#stage")).to_contain_text("building and solving (320 land units)", timeout=SOLVE_TIMEOUT_MS)
    expect(page.locator("#highs-log")).to_contain_text("LP has", timeout=SOLVE_TIMEOUT_MS)  # HiGHS's own log, live
    expect(page.locator(".run-head .pill").first).to_have_text("running")
    shot(page, "default_running")
    expect(page.locator(".run-head .pill").first).to_have_text("done", timeout=SOLVE_TIMEOUT_MS)
    first = page.locator(".run-head h1").inner_text()
    expect(page.locator("#map-image")).to_be_visible()
    page.wait_for_function("document.querySelector('#map-image').naturalWidth > 0")
    seconds_to_map = time.perf_counter() - start
    print(f"time to the first map of the default scenario: {seconds_to_map:.1f} s")
    expect(page.locator(".legend .key").first).to_be_visible()
    box = page.locator("#map-image").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.45, box["y"] + box["height"] * 0.5)
    expect(page.locator("#unit-detail h3")).to_contain_text("Land unit")
    expect(page.locator("#unit-detail")).to_contain_text("LDN status")
    shot(page, "default_map")
    page.locator("[data-layer='ldn']").click()
    expect(page.locator(".legend")).to_contain_text("gain")
    shot(page, "default_ldn_map")
    page.locator("[data-tab='LDN balance']").click()
    balance = page.locator("#ldn-balance")
    expect(balance).to_contain_text("alluvial_plain")
    expect(balance).to_contain_text("hill_slopes")
    shot(page, "default_ldn_balance")
    page.locator("[data-tab='Targets and prices']").click()
    expect(page.locator("#targets")).to_contain_text("shadow price")
    expect(page.locator("#targets")).to_contain_text("livestock")
    shot(page, "default_targets")
    page.locator("[data-tab='Food, finance, jobs']").click()
    expect(page.locator(".panel")).to_contain_text("self-sufficiency")
    shot(page, "default_food_finance_jobs")
    open_scenario(page, app_url, "default")
    page.locator("label.variant", has_text="high_growth").locator("input").check()
    second = run_and_wait(page)
    page.goto(f"{app_url}/#/compare?{urlencode({'a': first, 'b': second})}")
    expect(page.locator("#input-changes")).to_contain_text("population.file")
    expect(page.locator("#difference-map")).to_be_visible()
    page.wait_for_function("document.querySelector('#difference-map').naturalWidth > 0")
    shot(page, "compare_default_high_growth")
    offline_only(page, app_url)


def test_a_frontier_plot_whose_points_open_their_plan_map(page, app_url):
    open_scenario(page, app_url, "tiny")
    page.locator("select[name='kind']").select_option("frontier")
    run_and_wait(page)
    points = page.locator("#frontier-plot circle")
    expect(points).to_have_count(7)
    points.last.click()
    expect(page.locator(".plan-title")).to_contain_text("point_6")
    expect(page.locator("#map-image")).to_be_visible()
    page.wait_for_function("document.querySelector('#map-image').naturalWidth > 0")
    shot(page, "frontier")


def test_a_sweep_queues_several_runs_that_solve_one_after_another(page, app_url):
    open_scenario(page, app_url, "tiny")
    page.locator("details.sweep summary").click()
    page.locator("#sweep-key").fill("targets.cereal.value")
    page.locator("#sweep-values").fill("370, 380, 390")
    page.locator("#sweep-button").click()
    expect(page.locator("details.sweep")).to_contain_text("3 runs queued")
    runs = page.locator("#run-list a", has=page.locator(".run-sets", has_text="targets.cereal.value="))
    expect(runs).to_have_count(3)
    expect(runs.locator(".pill.status-optimal")).to_have_count(3, timeout=SOLVE_TIMEOUT_MS)
    shot(page, "sweep_queue")


def test_the_editor_shows_the_keys_the_schema_allows_where_the_cursor_is(page, app_url):
    open_scenario(page, app_url, "tiny")
    editor = page.locator("#yaml-editor")
    text = editor.input_value()
    where = text.index("    value: 390")  # inside targets.cereal
    editor.evaluate(f"(e) => {{ e.focus(); e.setSelectionRange({where + 6}, {where + 6}); }}")
    editor.click(position={"x": 5, "y": 5})  # a click shows the hint for the clicked line
    editor.evaluate(f"(e) => {{ e.setSelectionRange({where + 6}, {where + 6}); e.dispatchEvent(new Event('keyup')); }}")
    hint = page.locator("#key-hint")
    expect(hint).to_contain_text("keys allowed at targets.cereal")
    for key in ("indicator", "sense", "value", "penalty"):
        expect(hint.locator("code", has_text=key).first).to_be_visible()


def test_the_api_page_lists_the_endpoints_offline(page, app_url):
    page.goto(f"{app_url}/docs")
    ops = page.locator("#ops")
    for path in ("/api/scenarios", "/api/runs", "/api/runs/{run_id}", "/api/compare"):
        expect(ops.locator("code", has_text=path).first).to_be_visible()
    expect(ops).to_contain_text("Queue a run of a scenario")
    shot(page, "api_docs")
    offline_only(page, app_url)


def test_a_table_row_added_in_the_grid_is_checked_and_a_valid_edit_is_saved(page, app_url):
    open_scenario(page, app_url, "tiny")
    page.locator("[data-file='units.csv']").click()
    page.locator("#add-row").click()
    expect(page.locator("#validity")).not_to_have_text("valid")  # an empty row is not a land unit
    page.locator(".remove-row").last.click()
    expect(page.locator("#validity")).to_have_text("valid")
    status = page.locator("input.cell[data-row='2'][data-col='6']")  # U3's baseline_status
    status.fill("stable")
    expect(page.locator("#validity")).to_have_text("valid")
    page.locator("#save-button").click()
    expect(page.locator("#validity")).to_have_text("saved")
    page.reload()
    page.locator("[data-file='units.csv']").click()
    expect(status).to_have_value("stable")
    status.fill("degraded")  # tiny as it was, for the other tests
    expect(page.locator("#validity")).to_have_text("valid")
    page.locator("#save-button").click()
    expect(page.locator("#validity")).to_have_text("saved")
