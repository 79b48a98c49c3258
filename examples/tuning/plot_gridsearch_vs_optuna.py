"""
GridSearchCV and Optuna on the same problem
============================================

Tune the learning rate and dropout of a small CNN on synthetic faces (three
expressions) twice: with scikit-learn's ``GridSearchCV`` over a 3x2 grid, and with
:class:`skfer.tuning.FERSearchCV` (Optuna's TPE sampler, median pruning on the
first fold's per-epoch validation accuracy) given the same budget of six
configurations. Both use the same two stratified folds. Takes about a minute on
two CPU cores; the network is a small one registered here so the example
stays fast (the study's networks are ``"v1"`` and ``"v2"``).
"""

import matplotlib.pyplot as plt
import numpy as np
from optuna.distributions import FloatDistribution
from sklearn.model_selection import GridSearchCV, StratifiedKFold

from skfer import FERClassifier
from skfer.datasets import make_faces
from skfer.models import list_models, register_model
from skfer.tuning import FERSearchCV, plot_optimization_history

if "small-example" not in list_models():

    @register_model("small-example")
    def small_cnn(input_shape, n_classes, *, dropout=0.0, l2=0.0):
        import keras

        L = keras.layers
        inputs = keras.Input(input_shape)
        x = L.Conv2D(16, 3, activation="relu", padding="same")(inputs)
        x = L.MaxPooling2D(2)(x)
        x = L.Conv2D(32, 3, activation="relu", padding="same")(x)
        x = L.MaxPooling2D(2)(x)
        x = L.Flatten()(x)
        x = L.Dropout(dropout)(x)
        x = L.Dense(32, activation="relu", name="embedding")(x)
        return keras.Model(inputs, L.Dense(n_classes)(x))


X, y = make_faces(n_samples=360, n_classes=3, image_size=24, random_state=0)
cv = StratifiedKFold(2)
base = FERClassifier(
    model="small-example", epochs=8, batch_size=32, augment=False, random_state=0
)

# %%
# Grid search: every combination, each fitted on every fold.
grid = GridSearchCV(
    base, {"learning_rate": [3e-4, 1e-3, 3e-3], "dropout": [0.0, 0.3]}, cv=cv
).fit(X, y)
print(f"GridSearchCV best {grid.best_score_:.3f} with {grid.best_params_}")

# %%
# Optuna: six trials sampled from continuous ranges; trials whose first-fold
# validation accuracy falls below the median of earlier trials stop early.
search = FERSearchCV(
    base,
    {
        "learning_rate": FloatDistribution(3e-4, 1e-2, log=True),
        "dropout": FloatDistribution(0.0, 0.5),
    },
    n_trials=6,
    cv=cv,
    random_state=0,
).fit(X, y)
states = search.cv_results_["state"]
print(
    f"FERSearchCV  best {search.best_score_:.3f} with "
    f"{ {k: round(v, 5) for k, v in search.best_params_.items()} } "
    f"({np.sum(states == 'PRUNED')} of {len(states)} trials pruned)"
)

# %%
# The search history: each trial's mean held-out accuracy and the best so far.
ax = plot_optimization_history(search)
ax.axhline(grid.best_score_, color="grey", ls="--", label="GridSearchCV best")
ax.legend()
plt.tight_layout()
plt.show()
