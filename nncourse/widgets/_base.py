"""The shared pieces of every demo: palette, labelled controls, and the ``Demo`` class.

How a lesson module (``nncourse/widgets/<lesson>.py``) uses it::

    from ._base import Demo, float_slider, new_figure, OKABE_ITO

    class SigmoidDemo(Demo):
        '''sigma(w x + b) as w and b change.'''

        def __init__(self):
            super().__init__(
                controls={
                    "w": float_slider("weight w", "The weight multiplying x in w x + b",
                                      value=1.0, min=-5.0, max=5.0, step=0.1),
                    "b": float_slider("bias b", "The bias added in w x + b",
                                      value=0.0, min=-5.0, max=5.0, step=0.1),
                },
                figsize=(8.0, 3.5),
            )

        def render(self, w, b):              # one keyword per control name
            fig = new_figure(self.figsize)
            ax = fig.add_subplot()
            ...
            return fig                       # a matplotlib Figure; do not show it

    def activation_demo():
        '''Lesson 02's demo: the one call the notebook makes.'''
        return SigmoidDemo()

Rules the class enforces or relies on:

* Every control is made by a helper here (``slider``, ``float_slider``,
  ``dropdown``, ``toggle``, ``button``, ``play``), each of which requires a
  non-empty ``description`` and ``tooltip``.
* ``render(**values)`` is a plain function of the controls' values: it builds a
  new figure and returns it, touching no widget. Unit tests call it directly
  (or set ``demo.controls["w"].value`` and inspect ``demo.figure``/``demo.png``).
* Every control with a ``value`` is observed; any change calls ``update()``,
  which renders and replaces the picture in a fixed-height ``Output``, so the
  page does not jump. ``Button`` controls have no value: wire them yourself with
  ``button.on_click(...)`` and call ``self.update()`` from the handler.
* Build figures with :func:`new_figure` (not ``plt.subplots``): a pyplot figure
  would also be shown by the inline backend at the end of the cell. A figure
  of another size is resized to ``figsize`` so every frame has the same pixels.
* State the demo keeps between updates (a training run, a step counter) lives
  in attributes set *before* ``super().__init__`` (which renders once).
* The notebook cell is one call, tagged ``nbval-ignore-output`` (a cell tag,
  not a ``# NBVAL_...`` comment, which learners and slides would show);
  displaying the demo object displays its ``widget``.

Palette: ``OKABE_ITO`` for categories, ``SEQUENTIAL_CMAP`` for ordered values,
``DIVERGING_CMAP`` with :func:`centred_norm` for signed values, so that 0 is
always the neutral middle colour.
"""

from __future__ import annotations

import base64
import io
import traceback
from collections.abc import Mapping, Sequence

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import CenteredNorm
from matplotlib.figure import Figure

__all__ = ["OKABE_ITO", "SEQUENTIAL_CMAP", "DIVERGING_CMAP", "LINE_STYLES", "DPI", "centred_norm",
           "new_figure", "slider", "float_slider", "dropdown", "toggle", "button", "play", "Demo"]

# Okabe & Ito (2008), "Color Universal Design": distinguishable with every
# common form of colour blindness. Yellow is last but one because it is faint
# on white; black is last.
OKABE_ITO = ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#D55E00", "#CC79A7", "#F0E442", "#000000")
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "PuOr"
# Curves that must be told apart (train versus validation) differ in line
# style as well as colour, so they survive greyscale printing.
LINE_STYLES = ("-", "--", ":", "-.")
# Pixels per inch of every rendered frame: figsize (8, 4) becomes 800 x 400 px.
DPI = 100

_DESCRIPTION_STYLE = {"description_width": "initial"}


def centred_norm(values) -> CenteredNorm:
    """A colour norm for ``DIVERGING_CMAP`` with 0 in the middle and the data's largest magnitude at the ends.

    ``values`` is any array of finite numbers. All zeros give the range [-1, 1].
    """
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("centred_norm: values must not be empty")
    if not np.all(np.isfinite(array)):
        raise ValueError("centred_norm: values must be finite (got NaN or inf)")
    halfrange = float(np.max(np.abs(array)))
    return CenteredNorm(vcenter=0.0, halfrange=halfrange if halfrange > 0 else 1.0)


def new_figure(figsize: tuple[float, float]) -> Figure:
    """A figure outside pyplot (so nothing else displays it), with constrained layout."""
    return Figure(figsize=figsize, dpi=DPI, layout="constrained")


def _require_text(kind: str, description, tooltip) -> None:
    for name, text in (("description", description), ("tooltip", tooltip)):
        if not isinstance(text, str):
            raise TypeError(f"{kind}: {name} must be a str, got {type(text).__name__}")
        if not text.strip():
            raise ValueError(f"{kind}: {name} must not be empty; every control explains itself")


def _require_range(kind: str, description: str, value, min, max, step) -> None:
    # ipywidgets clamps an out-of-range value silently; a demo built with a
    # value outside its range is a bug worth stopping at.
    if not min < max:
        raise ValueError(f"{kind} {description!r}: expected min < max, got min={min}, max={max}")
    if not min <= value <= max:
        raise ValueError(f"{kind} {description!r}: value {value} is outside [{min}, {max}]")
    if not step > 0:
        raise ValueError(f"{kind} {description!r}: step must be positive, got {step}")


def slider(description: str, tooltip: str, value: int, min: int, max: int, step: int = 1) -> widgets.IntSlider:
    """An integer slider with its label and hover text."""
    _require_text("slider", description, tooltip)
    _require_range("slider", description, value, min, max, step)
    return widgets.IntSlider(value=value, min=min, max=max, step=step, description=description,
                             tooltip=tooltip, continuous_update=False, style=_DESCRIPTION_STYLE)


def float_slider(description: str, tooltip: str, value: float, min: float, max: float, step: float,
                 readout_format: str = ".2f") -> widgets.FloatSlider:
    """A float slider; ``continuous_update=False`` redraws when the handle is released, not on every pixel."""
    _require_text("float_slider", description, tooltip)
    _require_range("float_slider", description, value, min, max, step)
    return widgets.FloatSlider(value=value, min=min, max=max, step=step, description=description,
                               tooltip=tooltip, readout_format=readout_format, continuous_update=False,
                               style=_DESCRIPTION_STYLE)


def dropdown(description: str, tooltip: str, options: Sequence | Mapping, value=None) -> widgets.Dropdown:
    """A choice among ``options`` (a list, or a mapping label -> value); ``value`` defaults to the first."""
    _require_text("dropdown", description, tooltip)
    values = list(options.values()) if isinstance(options, Mapping) else list(options)
    if not values:
        raise ValueError(f"dropdown {description!r}: options must not be empty")
    if value is None:
        value = values[0]
    elif value not in values:
        raise ValueError(f"dropdown {description!r}: value {value!r} is not one of the options {values!r}")
    options = list(options.items()) if isinstance(options, Mapping) else values
    return widgets.Dropdown(options=options, value=value, description=description, tooltip=tooltip,
                            style=_DESCRIPTION_STYLE)


def toggle(description: str, tooltip: str, value: bool = False) -> widgets.ToggleButton:
    """An on/off button."""
    _require_text("toggle", description, tooltip)
    if not isinstance(value, bool):
        raise TypeError(f"toggle {description!r}: value must be a bool, got {type(value).__name__}")
    return widgets.ToggleButton(value=value, description=description, tooltip=tooltip)


def button(description: str, tooltip: str, icon: str = "") -> widgets.Button:
    """A push button (no value): connect it with ``button.on_click(handler)``."""
    _require_text("button", description, tooltip)
    return widgets.Button(description=description, tooltip=tooltip, icon=icon)


def play(description: str, tooltip: str, value: int = 0, min: int = 0, max: int = 100, step: int = 1,
         interval: int = 200) -> widgets.Play:
    """A play/pause control that advances its integer value every ``interval`` milliseconds.

    Pair it with a slider so the step is visible and can be dragged:
    ``ipywidgets.jslink((play_control, "value"), (step_slider, "value"))``.
    """
    _require_text("play", description, tooltip)
    _require_range("play", description, value, min, max, step)
    if not interval > 0:
        raise ValueError(f"play {description!r}: interval must be positive milliseconds, got {interval}")
    return widgets.Play(value=value, min=min, max=max, step=step, interval=interval, description=description,
                        tooltip=tooltip)


class Demo:
    """Controls, a figure that follows them, and the widget that shows both.

    Parameters
    ----------
    controls : dict name -> widget
        Made with the helpers above. Controls with a ``value`` are passed to
        ``render`` as keyword arguments under their names.
    figsize : (width, height) in inches
        Every frame is rendered at this size and ``DPI``; the output area's
        height is fixed to fit it.
    extra : list of widgets, optional
        Shown between the controls and the figure (e.g. an ``HTML`` readout
        that ``render`` or ``update`` fills in).

    Attributes
    ----------
    controls : dict
    output : ipywidgets.Output, the fixed-height area holding the current frame
    figure : the last Figure ``render`` returned
    png : bytes of the last frame as PNG
    widget : the box to display
    """

    def __init__(self, controls: Mapping[str, widgets.Widget], figsize: tuple[float, float] = (8.0, 4.0),
                 extra: Sequence[widgets.Widget] = ()):
        if not isinstance(controls, Mapping) or not controls:
            raise TypeError(f"Demo: controls must be a non-empty dict name -> widget, got {controls!r}")
        for name, control in controls.items():
            if not isinstance(control, widgets.Widget):
                raise TypeError(f"Demo: control {name!r} must be an ipywidgets widget, got {type(control).__name__}")
            _require_text(f"Demo control {name!r}", getattr(control, "description", None),
                          getattr(control, "tooltip", None))
        width, height = figsize
        if not (width > 0 and height > 0):
            raise ValueError(f"Demo: figsize must be two positive sizes in inches, got {figsize!r}")
        self.controls = dict(controls)
        self.figsize = (float(width), float(height))
        self.figure = None
        self.png = b""
        # A few pixels above the frame's own height keep a scroll bar from appearing.
        self.output = widgets.Output(layout=widgets.Layout(height=f"{round(height * DPI) + 12}px",
                                                           overflow="hidden"))
        boxed = widgets.Box(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
        self.widget = widgets.VBox([boxed, *extra, self.output])
        for control in self.controls.values():
            if "value" in control.trait_names():
                control.observe(self.update, names="value")
        self.update()

    def values(self) -> dict:
        """The current value of every control that has one, by name."""
        return {name: control.value for name, control in self.controls.items()
                if "value" in control.trait_names()}

    def render(self, **values) -> Figure:
        """Build and return the figure for these control values (subclasses define it)."""
        raise NotImplementedError(f"{type(self).__name__} must define render(**values) -> Figure")

    def update(self, change=None) -> None:
        """Render the current values and replace the frame shown (the observer of every control)."""
        try:
            figure = self.render(**self.values())
            if not isinstance(figure, Figure):
                raise TypeError(f"{type(self).__name__}.render must return a matplotlib Figure, "
                                f"got {type(figure).__name__}")
            self.png = self._to_png(figure)
        except Exception:
            # An observer's exception never reaches the notebook by itself; show it where the figure goes.
            self.output.outputs = ({"output_type": "stream", "name": "stderr", "text": traceback.format_exc()},)
            raise
        self.figure = figure
        # Replacing `outputs` in one assignment swaps the frame without a blank in between.
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"image/png": base64.b64encode(self.png).decode("ascii"),
                                         "text/plain": _describe(figure)}},)

    def _to_png(self, figure: Figure) -> bytes:
        if figure.canvas.manager is not None:
            # Made through pyplot: release it so the inline backend does not show it a second time.
            import matplotlib.pyplot as plt

            plt.close(figure)
        figure.set_dpi(DPI)
        figure.set_size_inches(self.figsize)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=DPI)
        return buffer.getvalue()

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def _describe(figure: Figure) -> str:
    titles = [ax.get_title() for ax in figure.axes if ax.get_title()]
    return "Figure: " + "; ".join(titles) if titles else "Figure"
