"""The demo foundation: controls that explain themselves, a Demo that redraws on change, lazy imports."""

import subprocess
import sys

import numpy as np
import pytest

ipywidgets = pytest.importorskip("ipywidgets")

from nncourse.widgets import _base  # noqa: E402
from nncourse.widgets._base import (  # noqa: E402
    DIVERGING_CMAP, DPI, OKABE_ITO, Demo, button, centred_norm, dropdown, float_slider, new_figure, play, slider,
    toggle)


class LineDemo(Demo):
    """y = tanh(w x + b), with a dropdown for the line style and a reset button."""

    def __init__(self):
        self.calls = []
        reset = button("Reset", "Put w and b back to their starting values")
        super().__init__(
            controls={
                "w": float_slider("weight w", "The weight multiplying x", value=1.0, min=-3.0, max=3.0, step=0.5),
                "b": slider("bias b", "The bias added to w x", value=0, min=-2, max=2),
                "style": dropdown("style", "How the curve is drawn", {"solid": "-", "dashed": "--"}),
                "grid": toggle("grid", "Show the grid lines"),
                "reset": reset,
            },
            figsize=(4.0, 2.0),
        )
        reset.on_click(self._reset)

    def _reset(self, _button):
        self.controls["w"].value = 1.0
        self.controls["b"].value = 0

    def render(self, w, b, style, grid):
        self.calls.append((w, b, style, grid))
        fig = new_figure(self.figsize)
        ax = fig.add_subplot()
        x = np.linspace(-3, 3, 50)
        ax.plot(x, np.tanh(w * x + b), style, color=OKABE_ITO[0])
        ax.grid(grid)
        ax.set_title(f"tanh({w:.1f} x + {b})")
        return fig


def test_setting_a_control_value_calls_render_with_every_value_and_changes_the_frame():
    demo = LineDemo()
    assert demo.calls == [(1.0, 0, "-", False)]
    first_png = demo.png
    demo.controls["w"].value = 2.0
    assert demo.calls[-1] == (2.0, 0, "-", False)
    assert demo.png != first_png
    assert demo.figure.axes[0].get_title() == "tanh(2.0 x + 0)"
    demo.controls["style"].value = "--"
    demo.controls["grid"].value = True
    assert demo.calls[-1] == (2.0, 0, "--", True)
    assert len(demo.calls) == 4


def test_the_output_holds_exactly_the_latest_frame_as_png():
    demo = LineDemo()
    demo.controls["b"].value = 1
    (output,) = demo.output.outputs
    assert output["output_type"] == "display_data"
    png = __import__("base64").b64decode(output["data"]["image/png"])
    assert png == demo.png and png.startswith(b"\x89PNG")
    assert output["data"]["text/plain"] == "Figure: tanh(1.0 x + 1)"


def test_every_frame_has_the_same_pixel_size_and_fits_the_fixed_output_height():
    demo = LineDemo()

    def png_size(data):
        # PNG header: width and height are big-endian 4-byte integers at bytes 16-24.
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")

    sizes = {png_size(demo.png)}
    for w in (-3.0, 0.0, 3.0):
        demo.controls["w"].value = w
        sizes.add(png_size(demo.png))
    assert sizes == {(4 * DPI, 2 * DPI)}
    height = demo.output.layout.height
    assert height.endswith("px") and int(height[:-2]) >= 2 * DPI


def test_a_button_is_shown_but_not_passed_to_render_and_its_handler_updates():
    demo = LineDemo()
    demo.controls["w"].value = 3.0
    demo.controls["b"].value = 2
    demo.controls["reset"].click()
    assert demo.calls[-1][:2] == (1.0, 0)
    assert demo.controls["reset"] in demo.widget.children[0].children


def test_every_control_has_a_description_and_a_tooltip():
    demo = LineDemo()
    for control in demo.controls.values():
        assert control.description.strip() and control.tooltip.strip()
    for control in demo.widget.children[0].children:
        assert control.description.strip() and control.tooltip.strip()


@pytest.mark.parametrize("make", [
    lambda d, t: slider(d, t, 1, 0, 5),
    lambda d, t: float_slider(d, t, 0.5, 0.0, 1.0, 0.1),
    lambda d, t: dropdown(d, t, ["a", "b"]),
    lambda d, t: toggle(d, t),
    lambda d, t: button(d, t),
    lambda d, t: play(d, t),
])
def test_control_helpers_refuse_a_missing_description_or_tooltip(make):
    assert make("label", "explanation").tooltip == "explanation"
    with pytest.raises(ValueError, match="description"):
        make("  ", "explanation")
    with pytest.raises(ValueError, match="tooltip"):
        make("label", "")
    with pytest.raises(TypeError, match="tooltip"):
        make("label", None)


def test_a_control_made_without_the_helpers_must_still_explain_itself():
    class Bare(Demo):
        def render(self, x):
            return new_figure(self.figsize)

    with pytest.raises(TypeError, match="tooltip must be a str, got NoneType"):
        Bare({"x": ipywidgets.IntSlider(description="x")})
    assert Bare({"x": ipywidgets.IntSlider(description="x", tooltip="the x value")}).png


def test_control_helpers_refuse_values_outside_their_range_instead_of_clamping():
    with pytest.raises(ValueError, match=r"outside \[0, 5\]"):
        slider("n", "count", 7, 0, 5)
    with pytest.raises(ValueError, match="min < max"):
        float_slider("x", "value of x", 0.0, 1.0, -1.0, 0.1)
    with pytest.raises(ValueError, match="step"):
        float_slider("x", "value of x", 0.0, -1.0, 1.0, 0.0)
    with pytest.raises(ValueError, match="not one of the options"):
        dropdown("d", "choice", ["a", "b"], value="c")
    with pytest.raises(TypeError, match="bool"):
        toggle("t", "switch", value=1)
    with pytest.raises(ValueError, match="interval"):
        play("p", "steps", interval=0)


def test_render_errors_show_in_the_output_and_propagate():
    class Broken(Demo):
        def render(self, x):
            if x > 1:
                raise ZeroDivisionError("no frame for x > 1")
            return new_figure(self.figsize)

    demo = Broken({"x": slider("x", "the x value", 0, 0, 3)})
    with pytest.raises(ZeroDivisionError):
        demo.controls["x"].value = 2
    (output,) = demo.output.outputs
    assert output["name"] == "stderr" and "no frame for x > 1" in output["text"]


def test_render_must_return_a_figure():
    class NoFigure(Demo):
        def render(self, x):
            return None

    with pytest.raises(TypeError, match="must return a matplotlib Figure, got NoneType"):
        NoFigure({"x": slider("x", "the x value", 0, 0, 3)})


def test_a_pyplot_figure_is_closed_so_the_inline_backend_does_not_show_it_twice():
    plt = pytest.importorskip("matplotlib.pyplot")

    class PyplotDemo(Demo):
        def render(self, x):
            fig, ax = plt.subplots(figsize=(9, 9))
            ax.plot([0, x])
            return fig

    before = set(plt.get_fignums())
    demo = PyplotDemo({"x": slider("x", "the x value", 1, 0, 3)}, figsize=(3.0, 2.0))
    assert set(plt.get_fignums()) == before
    assert int.from_bytes(demo.png[16:20], "big") == 3 * DPI


def test_centred_norm_puts_zero_in_the_middle_of_the_diverging_map():
    assert DIVERGING_CMAP in ("PuOr", "RdBu", "BrBG", "PiYG")
    norm = centred_norm([-1.0, 4.0])
    # Symmetric about 0: -4 -> 0, 0 -> 0.5, 4 -> 1 even though the data's minimum is -1.
    assert np.allclose(norm([-4.0, 0.0, 4.0]), [0.0, 0.5, 1.0])
    assert np.allclose(centred_norm(np.zeros(3))([-1.0, 1.0]), [0.0, 1.0])
    with pytest.raises(ValueError, match="finite"):
        centred_norm([0.0, np.nan])
    with pytest.raises(ValueError, match="empty"):
        centred_norm([])


def test_okabe_ito_palette_is_the_eight_published_colours():
    assert len(set(OKABE_ITO)) == 8
    assert set(OKABE_ITO) == {"#000000", "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00",
                              "#CC79A7"}


def test_demo_displays_as_its_widget():
    demo = LineDemo()
    bundle = demo._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == demo.widget.model_id
    assert demo.output in demo.widget.children


def test_importing_nncourse_and_its_widgets_package_imports_neither_ipywidgets_nor_matplotlib():
    code = ("import sys, nncourse, nncourse.widgets; "
            "print(sorted(m for m in ('ipywidgets', 'matplotlib') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_the_demo_table_names_a_function_in_each_lesson_module_that_exists():
    import importlib.util

    import nncourse.widgets as package

    assert set(package.__all__) == set(package._DEMOS)
    for name, module in package._DEMOS.items():
        if importlib.util.find_spec(f"nncourse.widgets.{module}") is None:
            continue  # that lesson's demo has not been written yet
        assert callable(getattr(package, name)), name
    with pytest.raises(AttributeError, match="no attribute 'nonexistent_demo'"):
        package.nonexistent_demo


def test_base_module_exports_what_its_usage_note_promises():
    for name in _base.__all__:
        assert hasattr(_base, name), name
