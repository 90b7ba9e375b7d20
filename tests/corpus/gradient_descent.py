"""Answers to lesson 06's exercises (gd-step ... minibatches)."""

import numpy as np

from . import correct, wrong

MUTATED = "generic:input-mutated"


def _gd_in_place(theta, grad, lr):
    theta -= lr * grad
    return theta


def _mb(order="perm", stop="all", shuffle_flag=True, reshuffle=False, rng_kind="given", as_lists=False):
    def minibatches(n_samples, batch_size, *, rng, shuffle=True):
        use_shuffle = shuffle if shuffle_flag else True
        if rng_kind == "global":
            gen = np.random
        elif rng_kind == "own":
            gen = np.random.default_rng(0)
        else:
            gen = rng
        if order == "perm" and use_shuffle:
            idx = gen.permutation(n_samples)
        elif order == "choice" and use_shuffle:
            idx = gen.choice(n_samples, n_samples)
        elif order == "shuffle-in-place" and use_shuffle:
            idx = np.arange(n_samples)
            gen.shuffle(idx)
        else:
            idx = np.arange(n_samples)
        end = n_samples - batch_size + 1 if stop == "drop-last" else n_samples
        batches = []
        for start in range(0, end, batch_size):
            if reshuffle and use_shuffle:
                idx = gen.permutation(n_samples)
            batch = idx[start:start + batch_size]
            batches.append(list(batch) if as_lists else batch)
        return batches
    return minibatches


def _mb_split(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return np.array_split(order, max(1, n_samples // batch_size))


def _mb_off_by_one(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size - 1] for s in range(0, n_samples, batch_size)]


def _mb_overlap(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    return [order[s:s + batch_size] for s in range(0, n_samples, max(1, batch_size - 1))]


def _momentum(v_rule, theta_rule):
    def momentum_update(theta, grad, velocity, lr, beta=0.9):
        v = v_rule(grad, velocity, lr, beta)
        return theta_rule(theta, grad, velocity, v, lr), v
    return momentum_update


def _momentum_in_place(theta, grad, velocity, lr, beta=0.9):
    velocity *= beta
    velocity += grad
    return theta - lr * velocity, velocity


def _momentum_theta_in_place(theta, grad, velocity, lr, beta=0.9):
    v = beta * velocity + grad
    theta -= lr * v
    return theta, v


def _rms(s_rule, step_rule):
    def rmsprop_update(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
        s = s_rule(grad, sq_avg, rho)
        return theta - step_rule(grad, s, sq_avg, lr, eps), s
    return rmsprop_update


def _rms_in_place(theta, grad, sq_avg, lr, rho=0.9, eps=1e-8):
    sq_avg *= rho
    sq_avg += (1 - rho) * grad ** 2
    return theta - lr * grad / (np.sqrt(sq_avg) + eps), sq_avg


def _adam(*, t_first=True, correct_bias=True, eps_inside=False, beta1_twice=False, sign=-1, m_hat_in_v=False,
          returns_t=True, g_squared_m=False, no_sqrt=False):
    def adam_update(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        t_new = t + 1
        tt = t_new if t_first else t
        m_new = beta1 * m + (1 - beta1) * (grad ** 2 if g_squared_m else grad)
        v_new = beta2 * v + (1 - beta2) * grad ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            m_hat = m_new / (1 - beta1 ** tt) if correct_bias else m_new
            v_hat = v_new / (1 - (beta1 if beta1_twice else beta2) ** tt) if correct_bias else v_new
            denom = np.sqrt(v_hat + eps) if eps_inside else (v_hat + eps if no_sqrt else np.sqrt(v_hat) + eps)
            theta_new = theta + sign * lr * m_hat / denom
        if m_hat_in_v:
            return theta_new, m_hat, v_hat, t_new
        return (theta_new, m_new, v_new, t_new) if returns_t else (theta_new, m_new, v_new, t)
    return adam_update


def _adam_in_place(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t += 1
    m *= beta1
    m += (1 - beta1) * grad
    v *= beta2
    v += (1 - beta2) * grad ** 2
    return theta - lr * (m / (1 - beta1 ** t)) / (np.sqrt(v / (1 - beta2 ** t)) + eps), m, v, t


def _sched(rule):
    def step_decay(lr, factor=0.5, every=10):
        return lambda epoch: rule(lr, factor, every, epoch)
    return step_decay


def _sched_stateful(lr, factor=0.5, every=10):
    state = {"lr": lr}

    def schedule(epoch):
        if epoch > 0 and epoch % every == 0:
            state["lr"] *= factor
        return state["lr"]
    return schedule


def _sched_counter(lr, factor=0.5, every=10):
    calls = [0]

    def schedule(epoch):
        value = lr * factor ** (calls[0] // every)
        calls[0] += 1
        return value
    return schedule


def _sched_default_every(lr, factor=0.5, every=5):
    return lambda epoch: lr * factor ** (epoch // every)


WRONG = [
    # ------------------------------------------------------------ gd-step
    wrong("gd-step", "ascent", {"ascent", "generic:sign"}, lambda theta, grad, lr: theta + lr * grad),
    wrong("gd-step", "no lr", "no-learning-rate", lambda theta, grad, lr: theta - grad),
    wrong("gd-step", "the step", "returns-the-step", lambda theta, grad, lr: -lr * grad),
    wrong("gd-step", "divides", "divides-by-lr", lambda theta, grad, lr: theta - grad / lr),
    wrong("gd-step", "in place", MUTATED, _gd_in_place),
    wrong("gd-step", "returns theta unchanged when grad is 0", "generic:aliasing",
          lambda theta, grad, lr: theta if not np.any(grad) else theta - lr * grad),
    wrong("gd-step", "lr squared", "lr-squared", lambda theta, grad, lr: theta - lr * lr * grad),
    wrong("gd-step", "times theta", "times-theta", lambda theta, grad, lr: theta - lr * grad * theta),
    wrong("gd-step", "lr times theta", "weight-decay-instead", lambda theta, grad, lr: theta - lr * theta),
    wrong("gd-step", "float32", "generic:dtype", lambda theta, grad, lr: (theta - lr * grad).astype(np.float32)),
    # ------------------------------------------------------------ minibatches
    wrong("minibatches", "last batch dropped", "last-partial-batch-dropped", _mb(stop="drop-last")),
    wrong("minibatches", "never shuffled", "never-shuffled", _mb(order="none")),
    wrong("minibatches", "shuffle flag ignored", "shuffle-flag-ignored", _mb(shuffle_flag=False)),
    wrong("minibatches", "reshuffled per batch", "reshuffled-for-every-batch", _mb(reshuffle=True)),
    wrong("minibatches", "own generator", "own-generator", _mb(rng_kind="own")),
    wrong("minibatches", "global random", "global-random", _mb(rng_kind="global")),
    wrong("minibatches", "rng.choice with replacement", "choice-with-replacement", _mb(order="choice")),
    wrong("minibatches", "array_split", "array-split", _mb_split),
    wrong("minibatches", "batches one short", "batch-one-short", _mb_off_by_one),
    wrong("minibatches", "overlapping batches", "overlapping-batches", _mb_overlap),
    # ------------------------------------------------------------ momentum-step
    wrong("momentum-step", "sign", "sign", _momentum(lambda g, v, lr, b: b * v + g, lambda th, g, v, vn, lr: th + lr * vn)),
    wrong("momentum-step", "EMA form", "exponential-average", _momentum(lambda g, v, lr, b: b * v + (1 - b) * g, lambda th, g, v, vn, lr: th - lr * vn)),
    wrong("momentum-step", "old velocity", "old-velocity", _momentum(lambda g, v, lr, b: b * v + g, lambda th, g, v, vn, lr: th - lr * v)),
    wrong("momentum-step", "cs231n form", "cs231n-form", _momentum(lambda g, v, lr, b: b * v - lr * g, lambda th, g, v, vn, lr: th + vn)),
    wrong("momentum-step", "lr in velocity", "lr-twice", _momentum(lambda g, v, lr, b: b * v + lr * g, lambda th, g, v, vn, lr: th - lr * vn)),
    wrong("momentum-step", "velocity in place", MUTATED, _momentum_in_place),
    wrong("momentum-step", "theta in place", MUTATED, _momentum_theta_in_place),
    wrong("momentum-step", "beta on the gradient", "beta-on-the-gradient", _momentum(lambda g, v, lr, b: v + b * g, lambda th, g, v, vn, lr: th - lr * vn)),
    wrong("momentum-step", "step with the gradient", "step-with-the-gradient", _momentum(lambda g, v, lr, b: b * v + g, lambda th, g, v, vn, lr: th - lr * g)),
    wrong("momentum-step", "outputs swapped", "outputs-swapped", lambda theta, grad, velocity, lr, beta=0.9: (beta * velocity + grad, theta - lr * (beta * velocity + grad))),
    # ------------------------------------------------------------ rmsprop-step
    wrong("rmsprop-step", "eps inside", "eps-inside-sqrt", _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: lr * g / np.sqrt(s + e))),
    wrong("rmsprop-step", "not squared", "gradient-not-squared", _rms(lambda g, s, r: r * s + (1 - r) * np.abs(g), lambda g, s, s0, lr, e: lr * g / (np.sqrt(s) + e))),
    wrong("rmsprop-step", "no sqrt", "no-square-root", _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: lr * g / (s + e))),
    wrong("rmsprop-step", "old average", "old-average", _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: lr * g / (np.sqrt(s0) + e))),
    wrong("rmsprop-step", "rho swapped", "rho-swapped", _rms(lambda g, s, r: (1 - r) * s + r * g ** 2, lambda g, s, s0, lr, e: lr * g / (np.sqrt(s) + e))),
    wrong("rmsprop-step", "in place", MUTATED, _rms_in_place),
    wrong("rmsprop-step", "eps ignored", "eps-ignored", _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: lr * g / (np.sqrt(s) + 1e-8))),
    wrong("rmsprop-step", "no (1 - rho)", "no-one-minus-rho", _rms(lambda g, s, r: r * s + g ** 2, lambda g, s, s0, lr, e: lr * g / (np.sqrt(s) + e))),
    wrong("rmsprop-step", "ascent", {"ascent", "sign", "generic:sign"}, _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: -lr * g / (np.sqrt(s) + e))),
    wrong("rmsprop-step", "multiplied by sqrt", "multiplied-not-divided", _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: lr * g * (np.sqrt(s) + e))),
    # ------------------------------------------------------------ adam-step
    wrong("adam-step", "no bias correction", "no-bias-correction", _adam(correct_bias=False)),
    wrong("adam-step", "eps inside", "eps-inside-sqrt", _adam(eps_inside=True)),
    wrong("adam-step", "t after", "counter-incremented-after-use", _adam(t_first=False)),
    wrong("adam-step", "sign", "sign", _adam(sign=1)),
    wrong("adam-step", "beta1 twice", "beta1-in-both-corrections", _adam(beta1_twice=True)),
    wrong("adam-step", "returns corrected moments", "returned-corrected-moments", _adam(m_hat_in_v=True)),
    wrong("adam-step", "t not incremented", "t-not-returned-incremented", _adam(returns_t=False)),
    wrong("adam-step", "m of g^2", "m-of-squared-gradient", _adam(g_squared_m=True)),
    wrong("adam-step", "no sqrt", "no-square-root", _adam(no_sqrt=True)),
    wrong("adam-step", "in place", MUTATED, _adam_in_place),
    # ------------------------------------------------------------ lr-schedule
    wrong("lr-schedule", "continuous", "continuous-exponent", _sched(lambda lr, f, k, e: lr * f ** (e / k))),
    wrong("lr-schedule", "off by one", "off-by-one", _sched(lambda lr, f, k, e: lr * f ** ((e + 1) // k))),
    wrong("lr-schedule", "every ignored", "every-ignored", _sched(lambda lr, f, k, e: lr * f ** e)),
    wrong("lr-schedule", "multiplied", "multiplied-instead-of-powered", _sched(lambda lr, f, k, e: lr * f * (e // k) if e >= k else lr)),
    wrong("lr-schedule", "stateful", "state-between-calls", _sched_stateful),
    wrong("lr-schedule", "counts calls", "state-between-calls", _sched_counter),
    wrong("lr-schedule", "returns a number", "returned-a-number", lambda lr, factor=0.5, every=10: lr),
    wrong("lr-schedule", "divides", "divided-by-factor", _sched(lambda lr, f, k, e: lr / f ** (e // k))),
    wrong("lr-schedule", "default every 5", "wrong-default", _sched_default_every),
    wrong("lr-schedule", "modulo", "modulo-not-division", _sched(lambda lr, f, k, e: lr * f ** (e % k))),
    wrong("lr-schedule", "factor times epochs", "linear-decay", _sched(lambda lr, f, k, e: lr * (1 - (1 - f) * (e // k)))),
]


def _mb_generator(n_samples, batch_size, *, rng, shuffle=True):
    order = rng.permutation(n_samples) if shuffle else np.arange(n_samples)
    for start in range(0, n_samples, batch_size):
        yield order[start:start + batch_size]


def _mb_while(n_samples, batch_size, *, rng, shuffle=True):
    order = np.arange(n_samples)
    if shuffle:
        order = rng.permutation(order)
    out, start = [], 0
    while start < n_samples:
        out.append(order[start:min(start + batch_size, n_samples)])
        start += batch_size
    return out


def _sched_class(lr, factor=0.5, every=10):
    class Schedule:
        def __call__(self, epoch):
            return lr * factor ** (epoch // every)
    return Schedule()


def _sched_loop(lr, factor=0.5, every=10):
    def schedule(epoch):
        value = lr
        for _ in range(epoch // every):
            value *= factor
        return value
    return schedule


def _adam_separate(theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    t = t + 1
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad * grad
    step = lr * np.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
    return theta - step * m / (np.sqrt(v) + eps * np.sqrt(1 - beta2 ** t)), m, v, t


CORRECT = [
    correct("gd-step", "subtract", lambda theta, grad, lr: np.subtract(theta, lr * grad)),
    correct("gd-step", "copy then subtract", lambda theta, grad, lr: (lambda t: (t.__isub__(lr * grad), t)[1])(theta.copy())),
    correct("gd-step", "add negative", lambda theta, grad, lr: theta + (-lr) * grad),
    correct("minibatches", "generator", _mb_generator),
    correct("minibatches", "while loop", _mb_while),
    correct("minibatches", "lists of ints", _mb(as_lists=True)),
    correct("momentum-step", "two lines", lambda theta, grad, velocity, lr, beta=0.9: (lambda v: (theta - lr * v, v))(beta * velocity + grad)),
    correct("momentum-step", "multiply-add", lambda theta, grad, velocity, lr, beta=0.9: (theta - lr * (np.multiply(beta, velocity) + grad), np.multiply(beta, velocity) + grad)),
    correct("momentum-step", "copy in place", lambda theta, grad, velocity, lr, beta=0.9: (lambda v: (theta - lr * v, v))((lambda c: (c.__imul__(beta), c.__iadd__(grad), c)[2])(velocity.copy()))),
    correct("rmsprop-step", "square", _rms(lambda g, s, r: r * s + (1 - r) * np.square(g), lambda g, s, s0, lr, e: lr * g / (np.sqrt(s) + e))),
    correct("rmsprop-step", "power", _rms(lambda g, s, r: s * r + g * g * (1 - r), lambda g, s, s0, lr, e: lr * g / (s ** 0.5 + e))),
    correct("rmsprop-step", "divide", _rms(lambda g, s, r: r * s + (1 - r) * g ** 2, lambda g, s, s0, lr, e: np.divide(lr * g, np.sqrt(s) + e))),
    correct("adam-step", "separate", _adam(t_first=True)),
    correct("adam-step", "folded step size", _adam_separate),
    correct("adam-step", "int t", lambda theta, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8: _adam()(theta, grad, m, v, int(t), lr, beta1, beta2, eps)),
    correct("lr-schedule", "callable class", _sched_class),
    correct("lr-schedule", "floor", _sched(lambda lr, f, k, e: lr * f ** np.floor(e / k))),
    correct("lr-schedule", "loop of decays", _sched_loop),
]


# ------------------------------------------------------------ quadratic-rates (added with the exercise)
def _ends(A, how="eigvalsh"):
    if how == "eigvalsh":
        lam = np.linalg.eigvalsh(A)
        return lam[0], lam[-1]
    if how == "eigvals-first-last":
        lam = np.real(np.linalg.eigvals(A))
        return lam[0], lam[-1]
    if how == "diagonal":
        return np.min(np.diag(A)), np.max(np.diag(A))
    if how == "frobenius":
        lam = np.linalg.eigvalsh(A)
        return lam[0], np.linalg.norm(A)
    raise ValueError(how)


def _rates(limit, best, factor, how="eigvalsh"):
    def quadratic_rates(A):
        lo, hi = _ends(A, how)
        return limit(lo, hi), best(lo, hi), factor(lo, hi)
    return quadratic_rates


def _lim(lo, hi):
    return 2 / hi


def _best(lo, hi):
    return 2 / (lo + hi)


def _factor(lo, hi):
    return (hi - lo) / (hi + lo)


def _rates_loop(A):
    # Search the learning rate on a fine grid instead of solving for it: close, but not to 1e-6.
    lam = np.linalg.eigvalsh(A)
    grid = np.linspace(0, 2 / lam[-1], 1001)[1:]
    worst = [np.max(np.abs(1 - lr * lam)) for lr in grid]
    return 2 / lam[-1], float(grid[int(np.argmin(worst))]), float(min(worst))


WRONG += [
    wrong("quadratic-rates", "diagonal entries as eigenvalues", "diagonal-not-eigenvalues", _rates(_lim, _best, _factor, "diagonal")),
    wrong("quadratic-rates", "eigvals()[0] taken as the smallest", "eigenvalues-unsorted", _rates(_lim, _best, _factor, "eigvals-first-last")),
    wrong("quadratic-rates", "limit 1/lambda_max", "limit-one-over-lambda", _rates(lambda lo, hi: 1 / hi, _best, _factor)),
    wrong("quadratic-rates", "limit from the flat direction", "limit-from-lambda-min", _rates(lambda lo, hi: 2 / lo, _best, _factor)),
    wrong("quadratic-rates", "best lr 1/lambda_max", "best-one-over-lambda-max", _rates(_lim, lambda lo, hi: 1 / hi, _factor)),
    wrong("quadratic-rates", "best lr without the 2", "best-sum-not-halved", _rates(_lim, lambda lo, hi: 1 / (lo + hi), _factor)),
    wrong("quadratic-rates", "factor 1 - 1/kappa", "factor-one-minus-inverse-kappa", _rates(_lim, _best, lambda lo, hi: 1 - lo / hi)),
    wrong("quadratic-rates", "factor 1 - best * lambda_max, no abs", "factor-without-absolute-value",
          _rates(_lim, _best, lambda lo, hi: 1 - 2 / (lo + hi) * hi)),
    wrong("quadratic-rates", "best lr the mean of 1/lambda", "best-mean-of-step-rates", _rates(_lim, lambda lo, hi: (1 / lo + 1 / hi) / 2, _factor)),
    wrong("quadratic-rates", "Frobenius norm for lambda_max", None, _rates(_lim, _best, _factor, "frobenius")),
    wrong("quadratic-rates", "factor taken at the stability limit", None, _rates(_lim, _best, lambda lo, hi: abs(1 - 2 / hi * lo))),
    wrong("quadratic-rates", "grid search instead of the formula", None, _rates_loop),
    wrong("quadratic-rates", "momentum's rate with sqrt(kappa)", None,
          _rates(_lim, _best, lambda lo, hi: (np.sqrt(hi / lo) - 1) / (np.sqrt(hi / lo) + 1))),
]
CORRECT += [
    correct("quadratic-rates", "min and max of eigvals", lambda A: (lambda lam: (
        2 / lam.max(), 2 / (lam.min() + lam.max()), (lam.max() - lam.min()) / (lam.max() + lam.min())))(
            np.real(np.linalg.eigvals(A)))),
    correct("quadratic-rates", "condition number", lambda A: (lambda k, hi: (2 / hi, 2 * k / (hi * (1 + k)), (k - 1) / (k + 1)))(
        np.linalg.cond(A), np.linalg.norm(A, 2))),
    correct("quadratic-rates", "factor as 1 - best * lambda_min", _rates(_lim, _best, lambda lo, hi: 1 - 2 * lo / (lo + hi))),
]
