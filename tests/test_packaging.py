"""What the package needs besides its Python modules ships in the wheel: a file under ``lup_opt/``
that ``[tool.setuptools.package-data]`` does not name is left out of ``pip install .`` (CI's
install) while an editable install still finds it, so the gap shows only on a user's machine."""

from __future__ import annotations

import fnmatch
import tomllib

from tests.conftest import REPO


def _package_data() -> dict[str, list[str]]:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    return config["tool"]["setuptools"].get("package-data", {})


def test_every_file_the_package_reads_besides_its_modules_is_named_in_package_data():
    package_data = _package_data()
    missing = []
    for path in sorted((REPO / "lup_opt").rglob("*")):
        if not path.is_file() or path.suffix in {".py", ".pyc"} or "__pycache__" in path.parts:
            continue
        relative = path.relative_to(REPO)
        shipped = False
        for package, patterns in package_data.items():
            folder = REPO.joinpath(*package.split("."))
            if folder in path.parents:
                inside = path.relative_to(folder).as_posix()
                shipped |= any(fnmatch.fnmatch(inside, pattern) for pattern in patterns)
        if not shipped:
            missing.append(relative.as_posix())
    assert not missing, f"not in [tool.setuptools.package-data], so not installed: {missing}"


def test_the_apps_page_script_and_style_are_among_them():
    assert {"static/*"} <= set(_package_data()["lup_opt.app"])
