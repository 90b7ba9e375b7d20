"""Interactive demos for the lessons: ipywidgets controls driving matplotlib figures.

Each lesson's notebook makes one call, e.g. ``nncourse.widgets.activation_demo()``.

=========================  ===========================================  =======================
name                       what it shows                                module (lesson)
=========================  ===========================================  =======================
``linear_map_demo``        a 2x2 matrix and bias transforming the plane ``linear_algebra`` (01)
``activation_demo``        activations, derivatives, sigma(w x + b)     ``activations`` (02)
``network_demo``           a small network traced with real numbers     ``forward_pass`` (03)
``loss_demo``              MSE versus cross-entropy, softmax            ``loss`` (04)
``backprop_demo``          a computational graph stepped node by node   ``backprop`` (05)
``descent_demo``           optimisers racing on loss surfaces           ``gradient_descent`` (06)
``regularization_demo``    a network trained live with L1/L2, dropout   ``regularization`` (07)
=========================  ===========================================  =======================

The demos are imported on first use, so ``import nncourse`` (and even
``import nncourse.widgets``) does not import ipywidgets or matplotlib.
Shared pieces (palette, controls, the ``Demo`` class) live in ``_base``.
"""

import importlib

_DEMOS = {
    "linear_map_demo": "linear_algebra",
    "activation_demo": "activations",
    "network_demo": "forward_pass",
    "loss_demo": "loss",
    "backprop_demo": "backprop",
    "descent_demo": "gradient_descent",
    "regularization_demo": "regularization",
}

__all__ = list(_DEMOS)


def __getattr__(name):
    if name in _DEMOS:
        module = importlib.import_module(f".{_DEMOS[name]}", __name__)
        return getattr(module, name)
    raise AttributeError(f"module 'nncourse.widgets' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_DEMOS])
