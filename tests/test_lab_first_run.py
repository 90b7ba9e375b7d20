"""A newcomer's first ``nncourse lab``, in headless Chromium: lesson 00 opens, no pop-up, modes look different.

``nncourse lab`` runs as a learner would start it (its own settings, the browser
opened by JupyterLab itself), from a fresh folder: the browser JupyterLab asks
for is a script that records the address, which Chromium then opens. Checked:
the first launch shows lesson 00 of the new ``./workspace``; no "Jupyter news"
notification appears; the learner sees the light theme and instructor mode the
dark one, each with its own saved layout. Screenshots go to
``test-artifacts/screenshots/lab-*.png``.

Skipped without Chromium or Playwright (a failure under ``NNCOURSE_REQUIRE_BROWSER=1``).
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_browser import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, _free_port, _missing_browser_reason, sync_playwright

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def browser():
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("NNCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required (NNCOURSE_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    with sync_playwright() as driver:
        chromium = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _start_lab(work: Path, *extra: str) -> tuple[subprocess.Popen, Path, Path]:
    """``nncourse lab`` in ``work``, opening its browser through a recorder script; (server, recorded, log)."""
    recorded = work / f"browser-{len(list(work.glob('browser-*')))}.txt"
    recorder = work / "record-browser.sh"
    recorder.write_text('#!/bin/sh\necho "$1" >> "$NNCOURSE_TEST_RECORDED"\n')
    recorder.chmod(0o755)
    config = work / "jupyter-config"
    env = {**os.environ, "BROWSER": f"{recorder} %s", "NNCOURSE_TEST_RECORDED": str(recorded),
           "JUPYTER_PORT": str(_free_port()), "JUPYTER_TOKEN": secrets.token_hex(16),
           "JUPYTER_CONFIG_DIR": str(config / "config"), "JUPYTER_DATA_DIR": str(config / "data"),
           "JUPYTER_RUNTIME_DIR": str(config / "runtime"), "IPYTHONDIR": str(config / "ipython")}
    log = work / f"lab-{recorded.stem}.log"
    with log.open("w") as sink:
        server = subprocess.Popen([sys.executable, "-m", "nncourse", "lab", *extra], cwd=work, env=env,
                                  stdout=sink, stderr=subprocess.STDOUT)
    return server, recorded, log


def _address(server: subprocess.Popen, recorded: Path, log: Path) -> str:
    """The http address JupyterLab asked the browser to open (it may hand over a redirect file)."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"nncourse lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        if recorded.is_file() and recorded.read_text().strip():
            url = recorded.read_text().split()[0]
            if url.startswith("file://"):
                url = re.search(r'href="([^"]+)"', Path(url.removeprefix("file://")).read_text()).group(1)
            return url.replace("&amp;", "&")
        time.sleep(0.5)
    pytest.fail(f"JupyterLab never opened a browser:\n{log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _open(browser, url: str, shot: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    page.locator(".jp-NotebookPanel .jp-MarkdownOutput h1").first.wait_for(timeout=90_000)
    time.sleep(3)  # the news question, when it comes, comes a moment after the page is ready
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / shot))
    return page


def _tracked_notebooks() -> str:
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted((ROOT / "notebooks").glob("*.ipynb")))).hexdigest()


def test_first_launch_opens_lesson_00_without_a_pop_up_and_instructor_mode_looks_different(browser, tmp_path):
    before = _tracked_notebooks()
    server, recorded, log = _start_lab(tmp_path)
    try:
        url = _address(server, recorded, log)
        assert "/lab/tree/00_start_here.ipynb" in url
        page = _open(browser, url, "lab-first-run-learner.png")
        current_tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel").first
        assert current_tab.inner_text().strip() == "00_start_here.ipynb"
        assert page.get_by_text("official Jupyter news").count() == 0
        assert page.locator("body").get_attribute("data-jp-theme-name") == "JupyterLab Light"
        # nbgrader's tools (installed with the test extra) are not part of the course's lab.
        assert page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text="Nbgrader").count() == 0
        page.close()
    finally:
        _stop(server)
    assert (tmp_path / "workspace" / "00_start_here.ipynb").is_file()

    server, recorded, log = _start_lab(tmp_path, "--instructor")
    try:
        url = _address(server, recorded, log)
        page = _open(browser, url, "lab-first-run-instructor.png")
        assert page.locator("body").get_attribute("data-jp-theme-name") == "JupyterLab Dark"
        assert page.get_by_text("official Jupyter news").count() == 0
        page.close()
    finally:
        _stop(server)
    assert "INSTRUCTOR MODE" in log.read_text()
    assert _tracked_notebooks() == before, "opening the instructor notebooks must not change them"
