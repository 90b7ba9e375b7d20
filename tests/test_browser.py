"""The course in a real browser: JupyterLab in headless Chromium, driven by Playwright.

For every lesson in ``notebooks/`` (run in a temporary copy, so stored
outputs stay untouched) the test opens the notebook, runs all cells from the
Run menu and checks what a learner would see:

* no error output and nothing on stderr;
* every demo cell (one that calls ``nncourse.widgets``) shows live widgets,
  not the text a notebook shows when widgets do not load;
* moving the demo's first control (a slider, else a dropdown, else a button)
  changes the picture, and a demo with a Play control animates when it is pressed;
* every check cell (nbgrader ``grade: true``) prints its ``passed all`` line.

The same for every lesson's **released copy** (``nncourse release``: answers
stubbed, check cells tagged ``raises-exception``), run as a learner who has
solved nothing: Run All must run every cell (no cell after a check left
unrun), every check shows its "not attempted yet" panel and no traceback, and
every demo is live.

A screenshot of each lesson (and of each demo) goes to
``test-artifacts/screenshots/``. Two small notebooks made here check the harness
itself: one that must pass, and one with an error, a check cell without its
success line and two dead demos, each of which must be reported.

Needs the system's Chromium (``apt-get install chromium``); it is never
downloaded. Without it the test is skipped, unless ``NNCOURSE_REQUIRE_BROWSER=1``
(as in CI) makes that a failure. About 15 s per notebook plus the time its
cells take; deselect with ``-m "not browser"``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from nncourse import course

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright
except ImportError:  # the `lab` fixture then skips (or, in CI, fails) before either name is used
    PlaywrightTimeout, sync_playwright = TimeoutError, None

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[1]
LESSONS = course.lessons(ROOT / "notebooks")
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
# Generous ceilings; a lesson normally finishes in seconds. They only stop a hung run.
SERVER_START_S = 60
RUN_ALL_S = 240
WIDGET_RENDER_S = 15

# What the page shows for output the learner should not see: error tracebacks and
# stderr share one renderer; a widget whose front end did not load falls back to text.
STDERR = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
WIDGET_FALLBACK = re.compile(r"^(VBox|HBox|Box|Output|Tab)\(|Error displaying widget|Loading widget")


def _missing_browser_reason() -> str | None:
    if sync_playwright is None:
        return "the Playwright Python client is not installed (pip install -e '.[test]')"
    if not Path(CHROMIUM).is_file():
        return "no system Chromium at /usr/bin/chromium (apt-get install chromium)"
    return None


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 serving a copy of the notebooks, and a headless browser page factory."""
    reason = _missing_browser_reason()
    if reason:
        if os.environ.get("NNCOURSE_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser test required (NNCOURSE_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("lab")
    served = base / "course"
    shutil.copytree(ROOT / "notebooks", served / "notebooks")
    if (ROOT / "images").is_dir():
        shutil.copytree(ROOT / "images", served / "images")
    _write_harness_notebooks(served / "harness")
    from nncourse.grading.release import release

    release(served / "released")
    env = _isolated_environment(base)
    port, token = _free_port(), uuid.uuid4().hex
    command = [sys.executable, "-m", "jupyter", "lab", "--ip=127.0.0.1", f"--port={port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={token}", "--ServerApp.open_browser=False", f"--ServerApp.root_dir={served}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    log_path = base / "jupyterlab.log"
    with open(log_path, "w") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=served)
    try:
        url = f"http://127.0.0.1:{port}"
        _wait_for_server(server, url, token, log_path)
        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                yield Lab(browser, url, token, served)
            finally:
                browser.close()
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _isolated_environment(base: Path) -> dict:
    """Environment for the server: temporary settings, runtime and workspace folders, single-threaded BLAS."""
    settings = base / "settings"
    # The news and update checks would reach the internet and pop up a notification over the page.
    _write_json(settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings",
                {"fetchNews": "false", "checkForUpdates": False})
    # Every cell in the DOM, so that cells below the fold can be inspected.
    _write_json(settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings",
                {"windowingMode": "none"})
    # The user's own Jupyter and IPython folders (kernels, start-up files) stay out of the test.
    folders = {"JUPYTERLAB_SETTINGS_DIR": settings, "JUPYTERLAB_WORKSPACES_DIR": base / "workspaces",
               "JUPYTER_RUNTIME_DIR": base / "runtime", "JUPYTER_CONFIG_DIR": base / "config",
               "JUPYTER_DATA_DIR": base / "data", "IPYTHONDIR": base / "ipython"}
    return {**os.environ, **{name: str(path) for name, path in folders.items()},
            "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def _write_json(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_server(server: subprocess.Popen, url: str, token: str, log_path: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise RuntimeError(f"JupyterLab did not answer within {SERVER_START_S} s:\n{log_path.read_text()[-3000:]}")


class Lab:
    """The running server and browser; ``run_notebook`` opens one notebook and runs all of its cells."""

    def __init__(self, browser, url: str, token: str, root: Path):
        self.browser, self.url, self.token, self.root = browser, url, token, root

    def new_page(self):
        return self.browser.new_page(viewport={"width": 1280, "height": 1400})

    def run_notebook(self, page, path: str) -> None:
        """Open ``path`` (relative to the served folder) in a fresh workspace, Run All and wait until it finished."""
        workspace = re.sub(r"\W", "-", path)
        page.goto(f"{self.url}/lab/workspaces/{workspace}/tree/{path}?token={self.token}")
        page.locator(".jp-NotebookPanel .jp-Notebook .jp-Cell").first.wait_for(timeout=60_000)
        # Run All is only heard once the kernel is connected: its name replaces "No Kernel" and it is idle.
        page.wait_for_function(_KERNEL_READY, timeout=60_000, polling=250)
        # More room for the notebook in the screenshots: close the file browser.
        page.keyboard.press("Control+b")
        page.locator("#jp-MainMenu .lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu .lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        page.wait_for_function(_RUN_FINISHED, timeout=RUN_ALL_S * 1000, polling=250)

    def shut_down_kernels(self) -> None:
        """Delete every session so that finished notebooks' kernels do not compete for the 2 cores."""
        with urllib.request.urlopen(f"{self.url}/api/sessions?token={self.token}", timeout=10) as answer:
            sessions = json.load(answer)
        for session in sessions:
            request = urllib.request.Request(f"{self.url}/api/sessions/{session['id']}?token={self.token}",
                                             method="DELETE")
            urllib.request.urlopen(request, timeout=30).close()


_KERNEL_IDLE = """() => {
    const status = document.querySelector('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator');
    return status !== null && status.getAttribute('data-status') === 'idle';
}"""

_KERNEL_READY = """() => {
    const name = document.querySelector('.jp-NotebookPanel-toolbar .jp-Toolbar-kernelName');
    const status = document.querySelector('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator');
    return name !== null && status !== null && !/No Kernel|Kernel$/.test(name.textContent.trim())
        && status.getAttribute('data-status') === 'idle';
}"""

# Finished = no cell waiting or running ("[*]") and either every code cell has an
# execution number or an error stopped the run (the cells after it stay unnumbered).
# The kernel must also be idle again (widget messages arrive after the last cell).
_RUN_FINISHED = """() => {
    const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')]
        .map(p => p.textContent.trim());
    if (prompts.length === 0 || prompts.some(p => p.includes('*'))) return false;
    const numbered = prompts.every(p => /^\\[\\d+\\]:$/.test(p));
    const failed = document.querySelector('.jp-Notebook [data-mime-type="application/vnd.jupyter.stderr"]') !== null;
    if (!numbered && !failed) return false;
    const status = document.querySelector('.jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator');
    return status !== null && status.getAttribute('data-status') === 'idle';
}"""


def _code_cells(notebook_path: Path) -> list[tuple[int, nbformat.NotebookNode]]:
    """(index among all cells, cell) for each code cell: the DOM lists cells in the same order."""
    notebook = nbformat.read(notebook_path, as_version=4)
    return [(index, cell) for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]


def _is_demo(cell) -> bool:
    """A cell that shows a demo: a top-level call such as ``widgets.activation_demo()`` (or ``d = ..._demo(...)``)."""
    return re.search(r"^(\w+\s*=\s*)?[\w.]*_demo\(", cell.source, flags=re.MULTILINE) is not None


def _is_check(cell) -> bool:
    return bool(cell.metadata.get("nbgrader", {}).get("grade"))


def _has_demo_cell(notebook_path: Path) -> bool:
    """The notebook calls a demo (which part of a lesson shows it: tests/test_notebooks.py checks every lesson has one)."""
    return any(_is_demo(cell) for _, cell in _code_cells(notebook_path))


def _problems(page) -> list[str]:
    """Error and stderr outputs on the page, as text."""
    return [text.strip()[:800] for text in page.locator(STDERR).all_inner_texts()]


def _frame(cell):
    """The picture a demo shows: the first image in its widget output."""
    return cell.locator(".jupyter-widgets img").first


def _move_first_control(page, cell) -> str | None:
    """Change the demo's first control the way a learner would; return what was done (None: no control)."""
    handle = cell.locator(".widget-slider .noUi-handle").first
    if handle.count():
        # noUiSlider keeps the position in ARIA attributes; a slider already at its maximum moves left.
        at_max = handle.evaluate(
            "h => Number(h.getAttribute('aria-valuenow')) >= Number(h.getAttribute('aria-valuemax'))")
        direction = "left" if at_max else "right"
        handle.click()
        page.keyboard.press("ArrowLeft" if at_max else "ArrowRight")
        return f"slider moved one step {direction}"
    select = cell.locator(".widget-dropdown select").first
    if select.count():
        options = select.locator("option").all_inner_texts()
        current = select.evaluate("s => s.options[s.selectedIndex].text")
        select.select_option(label=next(option for option in options if option != current))
        return "dropdown changed"
    button = cell.locator(".jupyter-widgets button.widget-button, .jupyter-widgets button.jupyter-button").first
    if button.count():
        button.click()
        return "button clicked"
    return None


# The Output widget draws a new <img> for each frame, so the picture is looked up again each time.
_FRAME_CHANGED = """([cell, before]) => {
    const img = cell.querySelector('.jupyter-widgets img');
    return img !== null && img.getAttribute('src') !== before;
}"""


def _check_play(page, cell, play_button, index: int, widget_wait_s: float) -> list[str]:
    """Press Play, expect the picture to move on by itself (at least twice), then press it again to pause."""
    failures = []
    play_button.click()
    for frame_number in (1, 2):
        before = _frame(cell).get_attribute("src")
        try:
            page.wait_for_function(_FRAME_CHANGED, arg=[cell.element_handle(), before], timeout=widget_wait_s * 1000)
        except PlaywrightTimeout:
            failures.append(f"demo in cell {index}: Play pressed, but frame {frame_number} did not come")
            break
    play_button.click()
    _wait_until_settled(page, cell)
    return failures


def _wait_until_settled(page, cell) -> None:
    """Wait until the kernel is idle and the demo's picture stopped changing (a control may send several values)."""
    deadline = time.monotonic() + WIDGET_RENDER_S
    previous = None
    while time.monotonic() < deadline:
        page.wait_for_function(_KERNEL_IDLE, timeout=RUN_ALL_S * 1000, polling=250)
        current = _frame(cell).get_attribute("src")
        if current == previous:
            return
        previous = current
        page.wait_for_timeout(400)


def _check_notebook(lab: Lab, served_path: str, screenshot_name: str,
                    widget_wait_s: float = WIDGET_RENDER_S) -> list[str]:
    """Run one notebook (path relative to the served copy) in the browser; return every failure found.

    ``widget_wait_s`` is how long a demo may take to appear, and to redraw after a control moved.
    """
    started = time.monotonic()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = lab.new_page()
    try:
        try:
            lab.run_notebook(page, served_path)
        except PlaywrightTimeout as error:
            page.screenshot(path=SCREENSHOTS / f"{screenshot_name}-stuck.png")
            return [f"the notebook did not open or finish running ({error.message.splitlines()[0]}); "
                    f"see {screenshot_name}-stuck.png"]
        failures = _inspect(page, lab, served_path, screenshot_name, widget_wait_s)
        page.screenshot(path=SCREENSHOTS / f"{screenshot_name}.png")
        print(f"{screenshot_name}: {time.monotonic() - started:.1f} s in the browser")
        return failures
    finally:
        page.close()
        lab.shut_down_kernels()


#: A released copy's unsolved check shows this panel (CheckFailed._render_traceback_) in place of a traceback.
NOT_ATTEMPTED_PANEL = re.compile(r"^[a-z0-9-]+: not attempted yet\n")


def _inspect(page, lab: Lab, served_path: str, screenshot_name: str, widget_wait_s: float) -> list[str]:
    """What is wrong on a page whose notebook has run: errors, demos, check cells."""
    dom_cells = page.locator(".jp-Notebook > .jp-Cell, .jp-Notebook .jp-WindowedPanel-viewport > .jp-Cell")
    released = served_path.startswith("released/")
    failures, demos = [], 0
    for index, cell in _code_cells(lab.root / served_path):
        dom_cell = dom_cells.nth(index)
        prompt = dom_cell.locator(".jp-InputArea-prompt").inner_text().strip()
        if not re.fullmatch(r"\[\d+\]:", prompt):
            failures.append(f"code cell {index} was left unrun by Run All (its prompt shows {prompt!r})")
        if _is_check(cell):
            text = dom_cell.locator(".jp-OutputArea").inner_text()
            grade_id = cell.metadata["nbgrader"].get("grade_id", f"cell {index}")
            if released and not (NOT_ATTEMPTED_PANEL.match(text.strip() + "\n") and "Traceback" not in text):
                failures.append(f"check cell {grade_id!r} did not show its 'not attempted yet' panel; "
                                f"it shows: {text[:300]!r}")
            if not released and "passed all" not in text:
                failures.append(f"check cell {grade_id!r} did not print its success line; it shows: {text[:300]!r}")
        if not _is_demo(cell):
            continue
        demos += 1
        dom_cell.scroll_into_view_if_needed()
        frame = _frame(dom_cell)
        try:
            # Widget views are drawn after their cell finished, once the models have arrived.
            frame.wait_for(timeout=widget_wait_s * 1000)
        except PlaywrightTimeout:
            outputs = dom_cell.locator(".jp-OutputArea-output").all_inner_texts()
            failures.append(f"demo in cell {index} shows no figure inside rendered widgets; it shows: {outputs!r:.300}")
            continue
        outputs = dom_cell.locator(".jp-OutputArea-output").all_inner_texts()
        if any(WIDGET_FALLBACK.search(text.strip()) for text in outputs):
            failures.append(f"demo in cell {index} shows a widget's text fallback: {outputs!r:.300}")
        before = frame.get_attribute("src")
        action = _move_first_control(page, dom_cell)
        if action is None:
            failures.append(f"demo in cell {index} has no slider, dropdown or button to move")
            continue
        try:
            page.wait_for_function(_FRAME_CHANGED, arg=[dom_cell.element_handle(), before],
                                   timeout=widget_wait_s * 1000)
        except PlaywrightTimeout:
            failures.append(f"demo in cell {index}: {action}, but the figure did not change")
        _wait_until_settled(page, dom_cell)
        play = dom_cell.locator(".widget-play button").first
        if play.count():
            failures += _check_play(page, dom_cell, play, index, widget_wait_s)
        dom_cell.screenshot(path=SCREENSHOTS / f"{screenshot_name}-demo{demos}.png")
    failures += [f"error or stderr output: {text}" for text in _problems(page)
                 if not (released and NOT_ATTEMPTED_PANEL.match(text + "\n"))]
    if demos == 0 and served_path.startswith(("notebooks/", "released/")) and _has_demo_cell(lab.root / served_path):
        failures.append("no demo cell (a call into nncourse.widgets) found")
    return failures


# --- the harness's own notebooks -------------------------------------------------------------

_HARNESS_DEMO = '''\
import numpy as np
from nncourse.widgets._base import Demo, float_slider, new_figure, OKABE_ITO


class SineDemo(Demo):
    def __init__(self):
        # Starts at its maximum, so the harness must move it left (the lessons' sliders go right).
        super().__init__({"k": float_slider("frequency k", "How many waves fit in the window",
                                            value=5.0, min=0.5, max=5.0, step=0.5)}, figsize=(6.0, 2.5))

    def render(self, k):
        fig = new_figure(self.figsize)
        ax = fig.add_subplot()
        x = np.linspace(0, 2 * np.pi, 200)
        ax.plot(x, np.sin(k * x), color=OKABE_ITO[0])
        ax.set(title=f"sin({k:.1f} x)", xlabel="x", ylabel="y")
        return fig


def sine_demo():
    return SineDemo()'''


_HARNESS_BROKEN_DEMOS = _HARNESS_DEMO + '''


class FrozenDemo(SineDemo):
    def render(self, k):
        return super().render(1.0)


def frozen_demo():
    return FrozenDemo()


def text_demo():
    return "a demo that shows text instead of widgets"'''


def _write_harness_notebooks(folder: Path) -> None:
    folder.mkdir(parents=True)
    kernelspec = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    check_metadata = {"nbgrader": {"grade": True, "grade_id": "sine-check", "locked": True, "points": 1,
                                   "schema_version": 3, "solution": False, "task": False}}
    good = nbformat.v4.new_notebook(metadata=kernelspec, cells=[
        nbformat.v4.new_markdown_cell("# Harness check"),
        nbformat.v4.new_code_cell(_HARNESS_DEMO),
        nbformat.v4.new_code_cell("# NBVAL_IGNORE_OUTPUT\nsine_demo()"),
        nbformat.v4.new_code_cell('print("sine: passed all 1 test cases.")', metadata=check_metadata),
    ])
    nbformat.write(good, folder / "good.ipynb")
    broken = nbformat.v4.new_notebook(metadata=kernelspec, cells=[
        nbformat.v4.new_code_cell('print("sine: not attempted")', metadata=check_metadata),
        nbformat.v4.new_code_cell(_HARNESS_BROKEN_DEMOS),
        nbformat.v4.new_code_cell("frozen_demo()"),
        nbformat.v4.new_code_cell("text_demo()"),
        nbformat.v4.new_code_cell("1 / 0"),
        nbformat.v4.new_code_cell("print('never runs')"),
    ])
    nbformat.write(broken, folder / "broken.ipynb")


def test_harness_sees_a_demo_render_and_change_in_the_browser(lab):
    assert _check_notebook(lab, "harness/good.ipynb", "harness-good") == []


def test_harness_reports_errors_missing_success_lines_and_dead_demos(lab):
    # The good notebook shows that demos appear and redraw within a second or two; no need to wait long here.
    failures = _check_notebook(lab, "harness/broken.ipynb", "harness-broken", widget_wait_s=4)
    assert any("ZeroDivisionError" in failure for failure in failures), failures
    assert any("'sine-check' did not print its success line" in failure for failure in failures), failures
    assert any("demo in cell 2: slider moved one step left, but the figure did not change" in failure
               for failure in failures), failures
    assert any("demo in cell 3 shows no figure inside rendered widgets" in failure for failure in failures), failures
    # The error stops Run All: the cell after it stays unrun, and that is reported too.
    assert any("was left unrun by Run All" in failure for failure in failures), failures
    assert len(failures) == 5, failures


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.stem for path in LESSONS])
def test_lesson_runs_in_jupyterlab_with_working_demos(lab, notebook):
    failures = _check_notebook(lab, f"notebooks/{notebook.name}", notebook.stem)
    assert not failures, f"{notebook.name} in JupyterLab:\n" + "\n".join(failures)


@pytest.mark.parametrize("notebook", LESSONS, ids=[path.stem for path in LESSONS])
def test_run_all_on_a_released_copy_runs_every_cell_with_live_demos(lab, notebook):
    failures = _check_notebook(lab, f"released/{notebook.name}", f"released-{notebook.stem}")
    assert not failures, f"released/{notebook.name} in JupyterLab:\n" + "\n".join(failures)
