"""Fetch the UCI Cleveland file and verify its checksum: ``python -m data.download``.

The file lands at ``data/processed.cleveland.data`` unless ``--out`` says otherwise; point the
studies at it with ``--data`` or ``HEART_DATA``. Nothing is written unless the SHA-256 matches.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from data._heart import DEFAULT_PATH, UCI_SHA256, UCI_URL, DataError

DEFAULT_OUT = DEFAULT_PATH.with_name("processed.cleveland.data")


def download(url: str, out: Path, sha256: str = UCI_SHA256, timeout: float = 30.0) -> Path:
    """Download ``url`` to ``out`` if its SHA-256 is ``sha256``.

    Raises:
        DataError: the download failed or the checksum differs (nothing is written then).
    """
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            payload = response.read()
    except (urllib.error.URLError, OSError) as error:
        reason = getattr(error, "reason", error)
        raise DataError(
            f"could not download {url} ({reason}); without network, copy the file to {out} "
            "or pass --data PATH"
        ) from None
    digest = hashlib.sha256(payload).hexdigest()
    if digest != sha256:
        raise DataError(
            f"{url}: expected SHA-256 {sha256}, got {digest}; the file was not saved "
            "(it changed upstream or the download is corrupt)"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    partial.write_bytes(payload)
    partial.replace(out)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m data.download", description=__doc__)
    parser.add_argument("--url", default=UCI_URL, help="where to fetch it (default: UCI)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        path = download(args.url, args.out)
    except DataError as error:
        print(f"Error: {error}", file=sys.stderr)
        return 2
    print(f"saved {path} (SHA-256 verified); use it with --data {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
