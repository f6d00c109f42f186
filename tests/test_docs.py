"""The docs point at what exists: every relative link, every test and benchmark they name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", *sorted((ROOT / "docs").rglob("*.md"))]
LINK = re.compile(r"\]\(([^)#\s]+)(?:#[^)]*)?\)")
TEST_FILE = re.compile(r"(tests/[\w/]+\.py)(?:::(\w+))?")
TEST_NAME = re.compile(r"(?<![\w/:])`?(?:::)?(test_[a-z0-9]+_\w+)`?")  # not `test_size`
BENCHMARK = re.compile(r"(?<![\w/])benchmarks/(\w+)\.py")  # not tests/benchmarks/


def _defined_tests() -> set[str]:
    names = set()
    for path in (ROOT / "tests").rglob("test_*.py"):
        names |= set(re.findall(r"^def (test_\w+)", path.read_text(), flags=re.MULTILINE))
    return names


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_test_and_benchmark_named_exists(page: Path) -> None:
    text = page.read_text()
    missing = []
    for target in LINK.findall(text):
        if "://" in target:
            continue
        if not (page.parent / target).exists():
            missing.append(f"link {target}")
    for path, name in TEST_FILE.findall(text):
        file = ROOT / path
        if not file.is_file():
            missing.append(path)
        elif name and not re.search(rf"^def {name}\b", file.read_text(), flags=re.MULTILINE):
            missing.append(f"{path}::{name}")
    defined = _defined_tests()
    missing += [f"test {name}" for name in TEST_NAME.findall(text) if name not in defined]
    missing += [
        f"benchmarks/{name}.py"
        for name in BENCHMARK.findall(text)
        if not (ROOT / "benchmarks" / f"{name}.py").is_file()
    ]
    assert not missing, f"{page.relative_to(ROOT)} names what does not exist: {missing}"
