"""nncourse: the mathematics behind neural networks, in small readable numpy modules.

One module per lesson of the course (``notebooks/``):

==========================  =====================================================
``nncourse.linalg``         01 dot products, matrix products, the affine map, norms
``nncourse.activations``    02 sigmoid, tanh, ReLU, leaky ReLU, softmax, derivatives
``nncourse.layers``         03 initialisation, dense layers, the forward pass
``nncourse.losses``         04 MSE, cross-entropies, log-sum-exp, fused gradients
``nncourse.backprop``       05 the backward pass, ``loss_and_grads``
``nncourse.gradient_check`` 05 centred differences, relative error
``nncourse.optim``          06 GD, momentum, RMSProp, Adam, schedules, mini-batches
``nncourse.training``       06/08 the training loop, predictions, accuracy
``nncourse.regularization`` 07 L1/L2, dropout, early stopping, data splits
``nncourse.datasets``       toy 2-D datasets and the 8x8 handwritten digits (offline)
``nncourse.checks``         the exercise checks every check cell calls
``nncourse.widgets``        the interactive demos (imports ipywidgets/matplotlib)
``nncourse.threads``        one BLAS thread for the lessons' kernels (set-up cells)
``nncourse.course``         where the lesson notebooks and diagrams are (wheel or clone)
==========================  =====================================================

Conventions: samples in rows, ``X (n_samples, n_in)``, ``W (n_in, n_out)``,
``b (n_out,)``, ``Z = X @ W + b``, ``A = g(Z)``; losses are means; float64 by
default (the README's "Notation" section). Every layer step is a pair
``out, cache = *_forward(...)`` / ``grads = *_backward(dout, cache)``; the
contract, with what each cache holds, is written down in :mod:`nncourse.layers`.
Each formula is one unvalidated kernel that the public functions (which validate
their arguments), the composites and :func:`train` all call. Importing nncourse
imports numpy only.
"""

__version__ = "0.1.0"

from .backprop import loss_and_grads
# (``nncourse.gradient_check`` is the module; its report function is
# ``nncourse.gradient_check.gradient_check``.)
from .gradient_check import numerical_gradient, relative_error
from .layers import count_params, forward, init_params
from .training import History, accuracy, predict, predict_classes, train

__all__ = ["init_params", "forward", "loss_and_grads", "numerical_gradient", "relative_error",
           "train", "History", "predict", "predict_classes", "accuracy", "count_params", "load_digits",
           "__version__"]

_LAZY = {"load_digits": ("datasets", "load_digits")}


def __getattr__(name):
    # The datasets module reads a file and the checks/widgets packages are
    # heavier; they are imported on first use so that `import nncourse` stays cheap.
    if name in _LAZY:
        import importlib

        module, attr = _LAZY[name]
        return getattr(importlib.import_module(f".{module}", __name__), attr)
    if name in ("checks", "widgets", "datasets"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'nncourse' has no attribute {name!r}")
