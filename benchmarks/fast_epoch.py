"""A tuned numpy training epoch: how close plain numpy gets to its matrix-product floor.

This is a benchmark prototype, not course code: it shows what
``nncourse.training.train`` could reach and which changes matter. It takes
the same training steps as ``train(..., loss="softmax_cross_entropy",
activation="relu", optimizer=Momentum(lr, beta))`` (equal up to float32
rounding), with three kinds of savings:

1. **Whole-buffer updates.** Parameters, gradients and velocities are
   views into three flat float32 buffers, so a momentum step is three
   whole-buffer ufunc calls (``nncourse``'s ``Momentum`` makes three calls
   per array and a temporary for ``lr * v``); the learning rate is folded
   into the output gradient (``dZ *= lr / n``), so the backward pass delivers
   ``lr * g`` and the update needs no multiplication. Activations and deltas
   live in buffers allocated once (``np.matmul(..., out=)``).
2. **ReLU in place.** ``A = max(Z, 0)`` overwrites ``Z``; its derivative is
   read back from ``A > 0`` (the same mask, since ``A > 0`` exactly where
   ``Z > 0``), so no pre-activation is kept for hidden layers.
3. **One softmax.** The loss (log-sum-exp) and the fused gradient
   ``(P - Y)/n`` share one exponential; no one-hot matrix is built, the label
   column is subtracted in place; inputs are validated once per epoch, not
   per batch, and nothing is re-validated inside the loop.

What it does not change: the matrix products themselves (numpy's BLAS), float32
throughout, the update ``theta <- theta - lr v`` with ``v <- beta v + g``
(kept as ``u = lr v``, identical for a constant learning rate).
"""

from __future__ import annotations

import numpy as np


class FastMLP:
    """A ReLU network with a softmax output trained by momentum SGD, every buffer preallocated.

    Parameters
    ----------
    params : list of (W, b), float32, as from ``nncourse.init_params(..., dtype=np.float32)`` (copied)
    lr, beta : learning rate and momentum coefficient
    batch_size : int
    """

    def __init__(self, params, *, lr: float, beta: float, batch_size: int):
        dtype = params[0][0].dtype
        self.dtype = dtype
        shapes = [shape for W, b in params for shape in (W.shape, b.shape)]
        sizes = [int(np.prod(shape)) for shape in shapes]
        offsets = np.concatenate([[0], np.cumsum(sizes)])
        self.flat_params = np.empty(offsets[-1], dtype=dtype)
        self.flat_grads = np.empty_like(self.flat_params)
        self.velocity = np.zeros_like(self.flat_params)

        def views(flat):
            arrays = [flat[a:b].reshape(shape) for a, b, shape in zip(offsets[:-1], offsets[1:], shapes)]
            return list(zip(arrays[0::2], arrays[1::2]))

        self.params = views(self.flat_params)
        self.grads = views(self.flat_grads)
        for (W, b), (W0, b0) in zip(self.params, params):
            W[...] = W0
            b[...] = b0
        self.lr = dtype.type(lr)
        self.beta = dtype.type(beta)
        self.batch_size = batch_size
        widths = [W.shape[1] for W, _ in self.params]
        self.acts = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.deltas = [np.empty((batch_size, w), dtype=dtype) for w in widths]
        self.n_in = self.params[0][0].shape[0]

    def epoch(self, X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> float:
        """One pass over ``X (n, n_in)`` float32 and labels ``y (n,)`` in a fresh shuffled order; returns the mean loss."""
        if X.dtype != self.dtype or X.ndim != 2 or X.shape[1] != self.n_in:
            raise ValueError(f"X must be {self.dtype} of shape (n, {self.n_in}), got {X.dtype} {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError("X contains NaN or infinite values")
        n = X.shape[0]
        order = rng.permutation(n)
        total = 0.0
        for start in range(0, n, self.batch_size):
            idx = order[start:start + self.batch_size]
            total += self._step(X, idx, y[idx]) * idx.size
        return total / n

    def _step(self, X, idx, yb) -> float:
        m = idx.size
        # Fancy indexing into a fresh array measured faster than np.take(..., out=) into a buffer.
        xb = X[idx]
        acts = [A[:m] for A in self.acts]
        deltas = [D[:m] for D in self.deltas]
        last = len(self.params) - 1

        inputs = xb
        for layer, (W, b) in enumerate(self.params):
            Z = acts[layer]
            np.matmul(inputs, W, out=Z)
            Z += b
            if layer != last:
                np.maximum(Z, 0, out=Z)
            inputs = Z

        # Softmax and cross-entropy from the logits with one exponential: log-sum-exp (4.8) for
        # the loss, then the fused gradient (P - Y)/n (4.10) written over the exponentials in place.
        rows = np.arange(m)
        dZ = deltas[last]
        np.subtract(acts[last], acts[last].max(axis=1, keepdims=True), out=dZ)
        correct = dZ[rows, yb]
        np.exp(dZ, out=dZ)
        sums = dZ.sum(axis=1, keepdims=True)
        loss = float(np.mean(np.log(sums[:, 0]) - correct))
        dZ /= sums
        dZ[rows, yb] -= 1.0
        # The backward pass is linear in dZ: scaling it by lr/n instead of 1/n makes every gradient
        # below come out as lr * g, which saves one pass over all parameters in the update.
        dZ *= self.dtype.type(self.lr / m)

        for layer in range(last, -1, -1):
            dW, db = self.grads[layer]
            below = acts[layer - 1] if layer else xb
            np.matmul(below.T, dZ, out=dW)
            np.sum(dZ, axis=0, out=db)
            if layer:
                dA = deltas[layer - 1]
                np.matmul(dZ, self.params[layer][0].T, out=dA)
                dA *= below > 0
                dZ = dA

        # Momentum (6.3) on all parameters at once, on u = lr v (the same steps for a constant lr):
        # u <- beta u + lr g, theta <- theta - u.
        self.velocity *= self.beta
        self.velocity += self.flat_grads
        self.flat_params -= self.velocity
        return loss

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Predicted class labels ``(n,)``."""
        A = X
        for layer, (W, b) in enumerate(self.params):
            A = A @ W + b
            if layer != len(self.params) - 1:
                np.maximum(A, 0, out=A)
        return np.argmax(A, axis=1)
