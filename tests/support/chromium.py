"""Debian's headless Chromium for tests that look at a page as a person would."""
import pathlib
import shutil
import subprocess
import tempfile

CHROMIUM = shutil.which("chromium")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--hide-scrollbars"]


def _run(args):
    assert CHROMIUM, "chromium is installed by `make setup` (mk/report.mk)"
    with tempfile.TemporaryDirectory(prefix="nestos-chromium-") as profile:
        return subprocess.run([CHROMIUM] + FLAGS + ["--user-data-dir=%s" % profile] + args, capture_output=True,
                              timeout=180, check=True)


def rendered_dom(page):
    """The DOM of a local page after Chromium rendered it."""
    return _run(["--dump-dom", pathlib.Path(page).resolve().as_uri()]).stdout.decode("utf-8", "replace")


def screenshot(page, png, width=1600, height=700):
    pathlib.Path(png).parent.mkdir(parents=True, exist_ok=True)
    _run(["--screenshot=%s" % png, "--window-size=%d,%d" % (width, height), pathlib.Path(page).resolve().as_uri()])
    return png
