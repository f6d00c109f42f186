"""Storage URLs whose driver is missing: one line that names the module and the extra that
installs a driver, exit code 2, nothing written."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from studies.heart import main
from tests.conftest import make_heart_frame


@pytest.mark.parametrize(
    ("url", "module", "advice"),
    [
        ("postgresql+pg8000://user@127.0.0.1/db", "pg8000", "pip install -e '.[postgres]' and "
         "use postgresql+psycopg2://"),
        ("mysql+mysqldb://root@127.0.0.1/test", "MySQLdb", "pip install -e '.[mysql]' and use "
         "mysql+pymysql://"),
    ],
)  # fmt: skip
def test_a_missing_driver_is_one_line_naming_it_and_the_extra(
    url: str,
    module: str,
    advice: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    if importlib.util.find_spec(module) is not None:
        pytest.skip(f"{module} is installed here")
    monkeypatch.chdir(tmp_path)
    make_heart_frame(40).to_csv("heart.csv", index=False)
    assert main(["--data", "heart.csv", "--storage", url, "--models", "logreg-l1"]) == 2
    err = capsys.readouterr().err
    scheme = url.split(":", 1)[0]
    assert err == (
        f"Error: the driver for {scheme!r} is not installed ({module}); install it, or {advice}\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["heart.csv"]
