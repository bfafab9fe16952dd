"""``lup-opt report`` on folders written by the trade-off commands (frontier, payoff, compromise)."""

from __future__ import annotations

import pytest

from lup_opt import tradeoffs
from lup_opt.report import build_report

OBJECTIVES = ["cost_kusd:min", "ldn_net"]


@pytest.mark.parametrize("method", ["frontier", "payoff", "compromise"])
def test_report_on_a_tradeoff_folder(tiny_scenario, tmp_path, method):
    make = {"frontier": lambda: tradeoffs.frontier_of(tiny_scenario, OBJECTIVES, points=4),
            "payoff": lambda: tradeoffs.payoff(tiny_scenario, OBJECTIVES),
            "compromise": lambda: tradeoffs.compromise_of(tiny_scenario, OBJECTIVES)}[method]
    folder = make().write(tmp_path / method)
    page = build_report(folder).read_text(encoding="utf-8")
    assert f"Trade-offs ({method})" in page and "tiny" in page
    assert "cost_kusd" in page and "ldn_net (2030)" in page  # the objectives compared
    assert 'src="data:image/png;base64,' in page  # the method's figure, embedded
    assert f'id="{ "payoff" if method == "payoff" else method}"' in page  # its table
    assert "http" not in page.replace("http-equiv", "")  # self-contained
