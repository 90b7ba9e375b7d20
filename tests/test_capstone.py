"""The capstone's promise: its recipe reaches at least 97 % test accuracy on the digits.

The recipe is read from the notebooks' source (the code cell tagged
``capstone-config``, a literal dict, the same in both parts of lesson 8), never from its stored outputs, and run
here through the package exactly as the notebook runs it: split, shifted
copies, standardisation with training statistics, He initialisation, Adam
with a cosine schedule and dropout. Training takes about 2 s.
"""

import ast
from pathlib import Path

import nbformat
import numpy as np
import pytest

import nncourse
from nncourse import datasets
from nncourse.optim import cosine_decay
from nncourse.regularization import train_val_test_split

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"
#: Part 1 trains the final model in sections 2-7; part 2 trains it again in its set-up (it runs alone).
PARTS = ("08a_capstone_training", "08b_capstone_your_network")
REQUIRED_TEST_ACCURACY = 0.97


def _config_of(part: str) -> dict:
    nb = nbformat.read(NOTEBOOKS / f"{part}.ipynb", as_version=4)
    cells = [c for c in nb.cells if "capstone-config" in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"{part} must have exactly one cell tagged capstone-config"
    tree = ast.parse(cells[0].source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign), "the config cell is one assignment"
    return ast.literal_eval(tree.body[0].value)


def _config() -> dict:
    return _config_of(PARTS[0])


def test_both_parts_train_the_same_recipe():
    assert _config_of(PARTS[1]) == _config_of(PARTS[0])


def _run(config: dict):
    """The notebook's sections 2, 4, 5 and 7, through the package; returns (history, test accuracy)."""
    X, y = datasets.load_digits()
    (X_train, y_train), (X_val, y_val), (X_test, y_test) = train_val_test_split(
        X, y, val_fraction=config["val_fraction"], test_fraction=config["test_fraction"], seed=config["split_seed"])
    images = X_train.reshape(-1, 8, 8)
    X_aug = np.concatenate([datasets.shift_images(images, dy, dx).reshape(-1, 64) for dy, dx in config["shifts"]])
    y_aug = np.tile(y_train, len(config["shifts"]))
    X_aug_s, X_val_s, X_test_s = datasets.standardise(X_aug, X_val, X_test)
    params0 = nncourse.init_params(config["layer_sizes"], init=config["init"], seed=config["init_seed"])
    history = nncourse.train(
        params0, X_aug_s, y_aug, optimizer=config["optimizer"], lr=config["lr"], epochs=config["epochs"],
        batch_size=config["batch_size"], schedule=cosine_decay(config["lr"], config["epochs"]),
        drop_prob=config["drop_prob"], seed=config["train_seed"], X_val=X_val_s, y_val=y_val)
    y_pred = nncourse.predict_classes(history.params, X_test_s)
    return history, nncourse.accuracy(y_test, y_pred)


@pytest.fixture(scope="module")
def config():
    return _config()


@pytest.fixture(scope="module")
def first_run(config):
    return _run(config)


def test_the_recipe_is_a_multi_layer_network_on_held_out_test_data(config):
    assert config["layer_sizes"][0] == 64 and config["layer_sizes"][-1] == 10
    assert len(config["layer_sizes"]) >= 3, "at least one hidden layer"
    assert 0 < config["test_fraction"] < 1 and 0 < config["val_fraction"] < 1


def test_the_recipe_reaches_97_percent_test_accuracy(first_run):
    history, test_accuracy = first_run
    assert test_accuracy >= REQUIRED_TEST_ACCURACY, f"test accuracy {test_accuracy:.4f}"
    # training did learn, epoch by epoch, and the validation set agrees with the test set
    assert history.train_loss[-1] < 0.2 * history.train_loss[0]
    assert history.val_acc[-1] >= REQUIRED_TEST_ACCURACY


def test_training_on_the_digits_is_deterministic(config, first_run):
    history, test_accuracy = first_run
    again, test_accuracy_again = _run(config)
    assert test_accuracy_again == test_accuracy
    assert again.train_loss == history.train_loss
    for (W1, b1), (W2, b2) in zip(history.params, again.params):
        np.testing.assert_array_equal(W1, W2)
        np.testing.assert_array_equal(b1, b2)


def test_an_untrained_network_is_far_from_the_target(config):
    # negative control: the accuracy test can fail; without training the
    # same pipeline is near guessing (about 10 %)
    untrained = dict(config, epochs=1, lr=1e-9)
    _, test_accuracy = _run(untrained)
    assert test_accuracy < 0.5
