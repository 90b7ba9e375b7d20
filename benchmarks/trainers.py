"""One training set-up, four implementations: nncourse, a tuned numpy epoch, PyTorch, scikit-learn.

Every trainer gets the same initial weights (He initialisation from
``nncourse.init_params``), the same data, mini-batch size, learning rate and
momentum (PyTorch's form, ``v <- beta v + g``, ``theta <- theta - lr v``;
scikit-learn's ``v <- beta v - lr g``, ``theta <- theta + v`` is the same
update for a constant learning rate), ReLU hidden layers and a softmax
cross-entropy output, all in float32. Each is a class with ``epoch()``
(one pass over the training data, reshuffled), ``fit(epochs)`` (a whole
training run, as a user would call it: for nncourse one ``train`` call) and
``accuracy(X, y)``.

A trainer is built inside a worker process whose thread count was fixed
before numpy or torch was imported (see :mod:`benchmarks.worker`).
"""

from __future__ import annotations

import warnings

import numpy as np

LR = 0.01
BETA = 0.9
BATCH_SIZE = 128


def initial_params(sizes, seed: int = 0) -> list:
    import nncourse

    return nncourse.init_params(list(sizes), init="he", seed=seed, dtype=np.float32)


def flops_per_epoch(sizes, n_samples: int) -> float:
    """Floating-point operations of the matrix products in one epoch.

    Forward ``Z = A W`` costs ``2 n n_in n_out`` per layer; backward
    ``dW = A^T dZ`` the same, and ``dA = dZ W^T`` the same for every layer but
    the first (nobody needs the gradient with respect to the data). Element-wise
    work (bias, ReLU, softmax, updates) is not counted: it is < 1 % of the
    arithmetic, though not of the time.
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    forward = sum(2 * n_in * n_out for n_in, n_out in pairs)
    backward = forward + sum(2 * n_in * n_out for n_in, n_out in pairs[1:])
    return float(n_samples) * (forward + backward)


class Trainer:
    """The interface the worker times; subclasses define ``epoch()`` and ``accuracy(X, y)``."""

    name = ""

    def epoch(self) -> float:  # pragma: no cover - abstract
        raise NotImplementedError

    def fit(self, epochs: int) -> list[float]:
        """``epochs`` epochs; the training loss of each."""
        return [self.epoch() for _ in range(epochs)]


class NncourseTrainer(Trainer):
    """``nncourse.train`` with one ``Momentum`` optimiser passed to every call.

    ``train`` resets an optimiser at the start of each run (its state belongs to
    that run's copy of the parameters), so ``epoch()``, one ``train`` call per
    epoch, starts every epoch with zero velocity; ``fit(epochs)`` is one run.
    The work per epoch, which is what the benchmark times, is the same.
    """

    name = "nncourse"

    def __init__(self, sizes, X, y, seed: int = 0):
        import nncourse
        from nncourse import optim

        self._nn = nncourse
        self.params = initial_params(sizes, seed)
        self.opt = optim.Momentum(lr=LR, beta=BETA)
        self.X, self.y = X, y
        self.rng = np.random.default_rng(seed)

    def epoch(self) -> float:
        return self.fit(1)[-1]

    def fit(self, epochs: int) -> list[float]:
        history = self._nn.train(self.params, self.X, self.y, loss="softmax_cross_entropy", activation="relu",
                                 optimizer=self.opt, epochs=epochs, batch_size=BATCH_SIZE, seed=self.rng)
        self.params = history.params
        return history.train_loss

    def accuracy(self, X, y) -> float:
        return self._nn.accuracy(y, self._nn.predict_classes(self.params, X))


class FastNumpyTrainer(Trainer):
    """The prototype in :mod:`benchmarks.fast_epoch`: what a tuned numpy epoch reaches."""

    name = "numpy-tuned"

    def __init__(self, sizes, X, y, seed: int = 0):
        from .fast_epoch import FastMLP

        self.model = FastMLP(initial_params(sizes, seed), lr=LR, beta=BETA, batch_size=BATCH_SIZE)
        self.X, self.y = X, y
        self.rng = np.random.default_rng(seed)

    def epoch(self) -> float:
        return self.model.epoch(self.X, self.y, self.rng)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.model.predict(X) == y))


class TorchTrainer(Trainer):
    """``torch.nn.Sequential`` of ``Linear``/``ReLU``, ``CrossEntropyLoss``, ``torch.optim.SGD(momentum)``."""

    name = "pytorch"

    def __init__(self, sizes, X, y, seed: int = 0):
        import torch

        self.torch = torch
        layers = []
        for i, (W, b) in enumerate(initial_params(sizes, seed)):
            linear = torch.nn.Linear(*W.shape)
            with torch.no_grad():
                linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W.T)))
                linear.bias.copy_(torch.from_numpy(b))
            layers.append(linear)
            if i < len(sizes) - 2:
                layers.append(torch.nn.ReLU())
        self.model = torch.nn.Sequential(*layers)
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=BETA)
        self.loss_fn = torch.nn.CrossEntropyLoss()
        self.X, self.y = torch.from_numpy(X), torch.from_numpy(y)
        self.gen = torch.Generator().manual_seed(seed)

    def epoch(self) -> float:
        torch = self.torch
        n = self.X.shape[0]
        order = torch.randperm(n, generator=self.gen)
        total = torch.zeros((), dtype=torch.float64)
        self.model.train()
        for start in range(0, n, BATCH_SIZE):
            idx = order[start:start + BATCH_SIZE]
            self.opt.zero_grad(set_to_none=True)
            loss = self.loss_fn(self.model(self.X[idx]), self.y[idx])
            loss.backward()
            self.opt.step()
            total += loss.detach() * idx.numel()
        return float(total) / n

    def accuracy(self, X, y) -> float:
        torch = self.torch
        with torch.no_grad():
            pred = self.model(torch.from_numpy(X)).argmax(dim=1).numpy()
        return float(np.mean(pred == y))


class SklearnTrainer(Trainer):
    """``MLPClassifier(solver="sgd", momentum=0.9, nesterovs_momentum=False, alpha=0)``, one ``partial_fit`` per epoch."""

    name = "scikit-learn"

    def __init__(self, sizes, X, y, seed: int = 0):
        from sklearn.neural_network import MLPClassifier

        self.clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd",
                                 learning_rate="constant", learning_rate_init=LR, momentum=BETA,
                                 nesterovs_momentum=False, alpha=0.0, batch_size=BATCH_SIZE, shuffle=True,
                                 random_state=seed)
        self.X, self.y = X, y
        # One step on one sample creates the model's state; then the weights are replaced by the
        # shared initial ones and the momentum buffers zeroed, so that every library starts alike.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.clf.partial_fit(X[:1], y[:1], classes=np.arange(sizes[-1]))
        for (W, b), coef, intercept in zip(initial_params(sizes, seed), self.clf.coefs_, self.clf.intercepts_):
            coef[...] = W
            intercept[...] = b
        for velocity in self.clf._optimizer.velocities:
            velocity[...] = 0.0
        if self.clf.coefs_[0].dtype != np.float32:
            raise RuntimeError(f"MLPClassifier trains in {self.clf.coefs_[0].dtype}, expected float32")

    def epoch(self) -> float:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            self.clf.partial_fit(self.X, self.y)
        return float(self.clf.loss_)

    def accuracy(self, X, y) -> float:
        return float(np.mean(self.clf.predict(X) == y))


TRAINERS = {cls.name: cls for cls in (NncourseTrainer, FastNumpyTrainer, TorchTrainer, SklearnTrainer)}
