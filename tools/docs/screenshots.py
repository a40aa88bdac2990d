"""Rebuild the screenshots of docs/images/ (the site's home and a rule's page).

    .venv/bin/python tools/docs/screenshots.py

Builds the site into a temporary folder, serves it on a loopback port and photographs it with
Debian's chromium (`/usr/bin/chromium`) through Playwright.
"""

from __future__ import annotations

import functools
import subprocess
import sys
import tempfile
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from playwright.sync_api import sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
SHOTS = {"": "accueil.png", "regles/U005/": "regle-u005.png"}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> None:
    with tempfile.TemporaryDirectory() as site:
        subprocess.run(
            [sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d", site],
            cwd=REPO_ROOT,
            check=True,
        )
        handler = functools.partial(QuietHandler, directory=site)
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium")
                page = browser.new_page(viewport={"width": 1280, "height": 900})
                for path, image in SHOTS.items():
                    page.goto(f"http://127.0.0.1:{server.server_port}/{path}")
                    page.screenshot(path=REPO_ROOT / "docs/images" / image)
                    print(f"docs/images/{image}")
                browser.close()
        finally:
            server.shutdown()


if __name__ == "__main__":
    main()
