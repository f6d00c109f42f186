"""optuna-dashboard on the studies' storage: served, read while a study writes, and rendered in a
real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import base64
import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
import pytest

from studies.dashboard import is_loopback
from studies.dashboard import main as dashboard_main
from studies.heart import main as heart_main
from tests.conftest import make_heart_frame

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def get(url: str, timeout: float = 10.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        assert response.status == 200, url
        return bytes(response.read())


@pytest.fixture(scope="module")
def finished(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A small finished run (the three linear studies) with its report, notes and plots: 80
    rows too few for any model to beat the baseline beyond noise, yet enough to tell the models
    apart, or not, by a test."""
    folder = tmp_path_factory.mktemp("finished")
    data = folder / "heart.csv"
    make_heart_frame(80, seed=1).to_csv(data, index=False)
    storage = f"sqlite:///{folder / 'heart.db'}"
    argv = ["--data", str(data), "--storage", storage, "--trials", "8", "--quiet",
            "--models", "logreg-l1,logreg-l2,logreg-enet", "--metric", "accuracy",
            "--out", str(folder / "reports")]  # fmt: skip
    assert heart_main(argv) == 0
    return storage, folder / "reports"


def serve(storage: str) -> tuple[subprocess.Popen[bytes], str]:
    """Start the dashboard; its request log goes nowhere (a full pipe would stall it)."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "studies.dashboard", "--storage", storage, "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            get(f"{base}/api/meta", timeout=2)
            return server, base
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"the dashboard exited with {server.returncode}") from None
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the dashboard did not answer within 30 s")


@pytest.fixture(scope="module")
def dashboard(finished: tuple[str, Path]) -> Iterator[str]:
    server, base = serve(finished[0])
    yield base
    server.terminate()
    server.wait(timeout=10)


def study_id(storage: str, name: str) -> int:
    return optuna.storages.RDBStorage(storage).get_study_id_from_name(name)


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False),
     ("192.0.2.4", False), ("example", False)],
)  # fmt: skip
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_binding_elsewhere_warns_first(
    finished: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with socket.socket() as taken:  # a port already in use: the server cannot start
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = dashboard_main(["--storage", finished[0], "--host", "0.0.0.0", "--port", str(port)])
    assert code == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith("Warning: binding to 0.0.0.0: optuna-dashboard has no authentication")
    assert err[-1].startswith(f"Error: cannot listen on 0.0.0.0:{port}")


def test_missing_storage_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert dashboard_main(["--storage", f"sqlite:///{tmp_path / 'none.db'}"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_csv_download_matches_the_report(finished: tuple[str, Path], dashboard: str) -> None:
    storage, reports = finished
    for name in ("heart-logreg-l1", "heart-logreg-l2", "heart-logreg-enet"):
        body = get(f"{dashboard}/csv/{study_id(storage, name)}").decode()
        downloaded = pd.read_csv(io.StringIO(body))
        report = pd.read_csv(reports / "trials" / f"{name}.csv")
        assert downloaded["Number"].tolist() == report["number"].tolist()
        assert downloaded["State"].tolist() == report["state"].tolist()
        # The value column is named as the study names its values (set_metric_names).
        pd.testing.assert_series_equal(
            downloaded["CV accuracy"], report["value"], check_names=False, rtol=1e-12
        )


def dashboard_graphs(storage: str, name: str) -> dict[str, dict[str, Any]]:
    """The plotly figures optuna-dashboard shows for a study, read back from the system
    attributes they are stored in (``dashboard:plot_data:<id>:<chunk>``)."""
    rdb = optuna.storages.RDBStorage(storage)
    attrs = rdb.get_study_system_attrs(rdb.get_study_id_from_name(name))
    chunks: dict[str, dict[int, str]] = {}
    for key, value in attrs.items():
        if key.startswith("dashboard:plot_data:"):
            graph, index = key.removeprefix("dashboard:plot_data:").rsplit(":", 1)
            chunks.setdefault(graph, {})[int(index)] = value
    return {graph: json.loads("".join(c[i] for i in sorted(c))) for graph, c in chunks.items()}


def trace(figure: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [t for t in figure["data"] if t.get("name") == name]
    return found


def numbers(values: Any) -> np.ndarray:
    """A trace's x or y: a list, or plotly's typed array (``{"dtype", "bdata"}``)."""
    if isinstance(values, dict):
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.asarray(values, dtype=float)


def test_the_dashboard_gets_every_plot_of_the_report(finished: tuple[str, Path]) -> None:
    """Calibration, decision curve and parameter importances reach the dashboard beside the
    history and the curve, drawn from the numbers the report's PNGs draw."""
    storage = finished[0]
    l1 = dashboard_graphs(storage, "heart-logreg-l1")
    # Each under its PNG's name: the page and the dashboard show the same plots.
    assert set(l1) == {
        "optimization_history", "regularization_curve", "coefficient_path_logreg-l1",
        "intermediate_logreg-l1", "calibration_models", "decision_curve",
    }  # fmt: skip
    attrs = optuna.load_study(study_name="heart-logreg-l1", storage=storage).user_attrs
    y, proba = np.array(attrs["test_y"], dtype=float), np.array(attrs["test_proba"])
    assert len(y) == 16  # the test rows: the report's out-of-sample source without --nested
    bins = trace(l1["calibration_models"], "logreg-l1: bins (95% Wilson)")
    # 16 rows: one quantile bin, its mean prediction and observed share.
    np.testing.assert_allclose(numbers(bins["x"]), [proba.mean()])
    np.testing.assert_allclose(numbers(bins["y"]), [y.mean()])
    curve = trace(l1["decision_curve"], "logreg-l1")
    thresholds = numbers(curve["x"])
    expected = [(np.sum((proba >= t) & (y == 1)) - np.sum((proba >= t) & (y == 0)) * t / (1 - t))
                / len(y) for t in thresholds]  # fmt: skip
    np.testing.assert_allclose(numbers(curve["y"]), expected, atol=1e-12)
    assert {t["name"] for t in l1["decision_curve"]["data"]} == {
        "logreg-l1", "logreg-l2", "logreg-enet", "treat all", "treat none"
    }  # fmt: skip
    enet = dashboard_graphs(storage, "heart-logreg-enet")
    assert {"importances_logreg-enet", "calibration_models"} <= set(enet)
    (bars,) = enet["importances_logreg-enet"]["data"]
    assert sorted(bars["y"]) == ["C", "l1_ratio"]
    # One parameter: nothing to rank.
    assert not any(graph.startswith("importances") for graph in l1)
    # Every model's calibration side by side, one panel each, in the model's colour.
    names = [
        t["name"] for t in l1["calibration_models"]["data"] if t["name"].endswith("(95% Wilson)")
    ]
    assert names == [f"{m}: bins (95% Wilson)" for m in ("logreg-l1", "logreg-l2", "logreg-enet")]
    assert enet["calibration_models"] == l1["calibration_models"]


def test_the_dashboard_names_values_numbers_trials_and_reads_the_protocol(
    finished: tuple[str, Path],
) -> None:
    """Its axes say what the values are ("CV accuracy", not "Objective 0"); the history numbers
    trials as the dashboard does, in the model's colours; the regularization curve's legend sits
    below the plot, clear of the caption in its title; each note reads the study's protocol as
    a table."""
    import optuna_dashboard

    from studies.report.plots.style import colour

    storage = finished[0]
    study = optuna.load_study(study_name="heart-logreg-l1", storage=storage)
    assert study.metric_names == ["CV accuracy"]
    graphs = dashboard_graphs(storage, "heart-logreg-l1")
    history = graphs["optimization_history"]
    best = trace(history, "logreg-l1")  # the best-so-far line, in the model's colour
    assert best["line"]["color"] == colour("logreg-l1")
    # Numbered as the dashboard's own trial list numbers them.
    complete = [t.number for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert numbers(best["x"]).tolist() == complete
    curve = graphs["regularization_curve"]
    legend = curve["layout"]["legend"]
    assert legend["yanchor"] == "top"
    assert legend["y"] < 0  # below the plot area, the caption above it
    assert "dots: complete trials" in curve["layout"]["title"]["text"]
    note = optuna_dashboard.get_note(study)
    assert "| family | logreg-l1 |" in note
    assert "| metric | accuracy |" in note
    assert "numbered as the dashboard numbers them" in note
    assert study.user_attrs["protocol"]["family"] == "logreg-l1"  # the raw attribute stays


@pytest.mark.slow
def test_reading_while_a_study_writes(tmp_path: Path) -> None:
    """optuna/optuna-dashboard#545: the dashboard polling SQLite must not break a running study."""
    data = tmp_path / "heart.csv"
    make_heart_frame(80).to_csv(data, index=False)
    storage = f"sqlite:///{tmp_path / 'live.db'}"
    command = [sys.executable, "-m", "studies.heart", "--data", str(data), "--storage", storage,
               "--models", "logreg-l1", "--no-report", "--quiet"]  # fmt: skip
    assert subprocess.run([*command, "--trials", "1"], check=False).returncode == 0
    server, base = serve(storage)
    try:
        writer = subprocess.Popen([*command, "--trials", "150"], stderr=subprocess.PIPE)
        sid = study_id(storage, "heart-logreg-l1")
        reads = 0
        while writer.poll() is None:
            get(f"{base}/api/studies")
            get(f"{base}/api/studies/{sid}?after=0")
            reads += 1
        stderr = writer.stderr.read().decode() if writer.stderr else ""
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert writer.returncode == 0, stderr
    assert "database is locked" not in stderr
    assert reads > 5
    trials = optuna.load_study(study_name="heart-logreg-l1", storage=storage).trials
    assert len(trials) == 150
    assert all(t.state.is_finished() for t in trials)


@pytest.mark.browser
def test_browser_shows_studies_note_and_plots(
    finished: tuple[str, Path], dashboard: str, tmp_path: Path
) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    sid = study_id(finished[0], "heart-logreg-l1")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800})
            page.goto(f"{dashboard}/dashboard")
            page.wait_for_selector("text=heart-logreg-l1", timeout=30_000)
            assert page.get_by_text("heart-logreg-l2").count() >= 1
            page.screenshot(path=str(tmp_path / "studies.png"))

            page.goto(f"{dashboard}/dashboard/studies/{sid}")
            page.wait_for_selector(".js-plotly-plot", timeout=30_000)
            page.wait_for_selector("text=Regularization curve", timeout=30_000)
            assert page.locator(".js-plotly-plot").count() >= 2
            page.screenshot(path=str(tmp_path / "study.png"), full_page=True)

            page.goto(f"{dashboard}/dashboard/studies/{sid}/note")
            page.wait_for_selector("text=The models compared on the same folds", timeout=30_000)
            table = page.locator("table").filter(has_text="logreg-l2")
            assert table.count() >= 1
            assert "no detectable difference" in page.content() or (
                "is more accurate than" in page.content()
            )
            page.screenshot(path=str(tmp_path / "note.png"), full_page=True)
        finally:
            browser.close()
    assert all((tmp_path / name).stat().st_size > 10_000 for name in ("studies.png", "study.png",
                                                                        "note.png"))  # fmt: skip


@pytest.mark.browser
def test_the_report_page_answers_in_the_first_screen(
    finished: tuple[str, Path], tmp_path: Path
) -> None:
    """The offline page in a 1,280 x 900 window: "What the numbers say" with its sentences in the
    first screen, and nothing wider than the window."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    index = finished[1] / "index.html"
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(index.as_uri())
            heading = page.get_by_role("heading", name="The answer")
            assert heading.is_visible()
            answers = page.locator("ul.answer li")
            assert answers.count() >= 3
            last = answers.nth(answers.count() - 1).bounding_box()
            assert last is not None
            assert last["y"] + last["height"] <= 900  # the whole answer in the first screen
            # These tiny studies beat no baseline: the warning comes first, in bold, then the
            # recommendation.
            assert answers.first.inner_text().startswith("Warning: no model does better")
            assert answers.first.locator("strong.warning").is_visible()
            assert answers.nth(1).inner_text().startswith("Use ")
            evidence = page.get_by_role("heading", name="What the numbers say: the evidence")
            assert evidence.is_visible()
            assert page.evaluate("document.documentElement.scrollWidth") <= 1280
            page.screenshot(path=str(tmp_path / "page.png"))
        finally:
            browser.close()
    assert (tmp_path / "page.png").stat().st_size > 10_000


@pytest.mark.slow
@pytest.mark.browser
def test_the_dashboard_lists_each_saved_model_and_downloads_it(
    finished: tuple[str, Path], dashboard: str, tmp_path: Path
) -> None:
    """``studies.dashboard`` passes the artifact folder beside the SQLite file: each study's page
    lists its model files, and the download is the stored file, byte for byte."""
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        message = f"no Chromium at {CHROMIUM}: apt-get install chromium (.ci/run does)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    storage = finished[0]
    study = optuna.load_study(study_name="heart-logreg-l2", storage=storage)
    record = study.user_attrs["saved_model"]
    name = f"trial-{record['trial']}-model.skops"
    sid = study_id(storage, "heart-logreg-l2")
    with playwright.sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1800}, accept_downloads=True)
            page.goto(f"{dashboard}/dashboard/studies/{sid}")
            page.wait_for_selector("text=Study Artifacts", timeout=30_000)
            card = page.get_by_text(name, exact=True)
            card.scroll_into_view_if_needed()
            assert card.is_visible()
            assert page.get_by_text(f"trial-{record['trial']}-manifest.json").count() == 1
            page.screenshot(path=str(tmp_path / "artifacts.png"), full_page=True)
            with page.expect_download() as downloading:
                page.locator(f"a[download='{name}']").click()
            downloaded = tmp_path / "downloaded"
            downloading.value.save_as(downloaded)
        finally:
            browser.close()
    stored = Path(record["store"]) / record["artifacts"]["model.skops"]
    assert downloaded.read_bytes() == stored.read_bytes()
