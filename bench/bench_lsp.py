"""Benchmark `fedreg lsp` as an editor sees it: a 100-line file opened in a large registry.

    .venv/bin/python bench/bench_lsp.py [--size 10000] [--keystrokes 50]

Starts the real server (`python -m fedreg lsp`) over stdio, opens a 100-line service provider
of a generated registry committed on `main` in a git repository, and prints the time to the
first diagnostics (the whole registry is read then, for the rules across files, and the
providers of `main`, for deploy-readiness), then the time from a keystroke (one character typed,
the text sent whole) to its diagnostics, and hover and completion response times (median and
95th percentile). Checks that the keystrokes' diagnostics are the expected ones.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from lspclient import LspClient
from registry_generator import generate

EXTRA_URIS = 75  # the generated file has 25 lines: 75 more redirect URIs make it 100


def hundred_lines(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    head, marker, tail = text.partition("redirect_uris:\n")
    uris = "".join(f"  - https://service-0.gouv.fr/retour-{n}\n" for n in range(EXTRA_URIS))
    return head + marker + uris + tail


def _ms(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"median {statistics.median(ordered) * 1000:6.1f} ms, p95 {p95 * 1000:6.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--keystrokes", type=int, default=50)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        generate(root, args.size)
        path = root / "registry/integration/service-providers/provider-000000.yaml"
        text = hundred_lines(path)
        path.write_text(text, encoding="utf-8")
        assert text.count("\n") == 100, text.count("\n")
        for command in (
            ["init", "-q", "-b", "main"],
            ["add", "-A"],
            ["-c", "user.name=bench", "-c", "user.email=bench@invalid", "commit", "-qm", "base"],
        ):
            subprocess.run(["git", *command], cwd=root, check=True)
        client = LspClient([sys.executable, "-m", "fedreg", "lsp"], root, {})
        client.start()
        try:
            start = time.perf_counter()
            first = client.open(path, text)
            opened = time.perf_counter() - start
            assert first == [], first
            keystrokes = []
            line = text.split("\n").index("name: Service numéro 0")
            for n in range(args.keystrokes):
                typed = text.replace("name: Service numéro 0", f"name: Service numéro 0{n}")
                if n % 2:  # every other keystroke leaves a mistake: a wildcard URI
                    typed = typed.replace("retour-3\n", "retour-*\n")
                start = time.perf_counter()
                shown = client.open(path, typed)
                keystrokes.append(time.perf_counter() - start)
                assert [d["code"] for d in shown] == (["U005"] if n % 2 else []), shown
            hovers, completions = [], []
            for _ in range(args.keystrokes):
                start = time.perf_counter()
                client.hover(path, line, 1)
                hovers.append(time.perf_counter() - start)
                start = time.perf_counter()
                client.completion(path, line + 10, 4)
                completions.append(time.perf_counter() - start)
        finally:
            client.stop()
    print(f"registry of {args.size} files, a {text.count(chr(10))}-line file open")
    print(f"first diagnostics (reads the registry): {opened:.2f} s")
    print(f"per keystroke ({args.keystrokes}): {_ms(keystrokes)}")
    print(f"hover: {_ms(hovers)}")
    print(f"completion: {_ms(completions)}")


if __name__ == "__main__":
    main()
