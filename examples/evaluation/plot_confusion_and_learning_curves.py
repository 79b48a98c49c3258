"""
Confusion matrix and learning curves
====================================

Train Model 1 on synthetic faces with a validation hold-out, then draw what
``docs/results/`` shows for the real runs: loss and accuracy per epoch from
``FERClassifier.history_`` and a confusion matrix with scikit-learn's
``ConfusionMatrixDisplay``. About half a minute on two CPU cores.
"""

import matplotlib.pyplot as plt
from sklearn.metrics import ConfusionMatrixDisplay
from sklearn.model_selection import train_test_split

from skfer import FERClassifier
from skfer.datasets import FER2013_LABELS, make_faces

X, y = make_faces(n_samples=700, random_state=0)
X_train, X_test, y_train, y_test = train_test_split(
    X, y, test_size=0.25, stratify=y, random_state=0
)
clf = FERClassifier(
    model="v1",
    epochs=8,
    batch_size=32,
    augment=False,
    validation_fraction=0.15,  # per-epoch validation on a hold-out of X_train
    random_state=0,
).fit(X_train, y_train)

# %%
# Learning curves: training vs validation, per epoch.
fig, (left, right) = plt.subplots(1, 2, figsize=(8, 3))
epochs = range(1, len(clf.history_["loss"]) + 1)
for key, label in (("loss", "training"), ("val_loss", "validation")):
    left.plot(epochs, clf.history_[key], marker="o", label=label)
for key, label in (("accuracy", "training"), ("val_accuracy", "validation")):
    right.plot(epochs, clf.history_[key], marker="o", label=label)
left.set(xlabel="epoch", ylabel="loss")
right.set(xlabel="epoch", ylabel="accuracy")
right.legend()
plt.tight_layout()

# %%
# Confusion matrix on the held-out test faces (rows: true, columns: predicted).
ConfusionMatrixDisplay.from_estimator(
    clf,
    X_test,
    y_test,
    display_labels=FER2013_LABELS,
    normalize="true",
    values_format=".2f",
    xticks_rotation=45,
)
plt.tight_layout()
plt.show()
