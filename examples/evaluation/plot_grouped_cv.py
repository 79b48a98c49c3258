"""
Why CK+ needs subject-grouped folds
===================================

CK+ gives three near-identical frames per sequence and several sequences per
subject. If folds are drawn image by image, copies of a test image sit in the
training folds and a classifier can score well by recognising the *person and
frame*, not the expression.

This example builds a data set with that structure and an extreme twist: the
labels are random per sequence, so there is **nothing** to learn about
expressions and an honest estimate is chance (1/7). A 1-nearest-neighbour
classifier on pixels is evaluated with image-level folds
(:func:`skfer.model_selection.image_level_kfold`) and with subject-grouped
folds (:func:`skfer.model_selection.subject_kfold`). Runs in seconds.
"""

import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from skfer.datasets import make_faces
from skfer.model_selection import image_level_kfold, subject_kfold
from skfer.preprocessing import PixelScaler

rng = np.random.default_rng(0)
n_subjects, sequences_per_subject, frames = 40, 4, 3
faces, _ = make_faces(n_samples=n_subjects * sequences_per_subject, random_state=0)
X, y, groups = [], [], []
for s in range(n_subjects):
    for q in range(sequences_per_subject):
        face = faces[s * sequences_per_subject + q].astype(float)
        label = rng.integers(7)  # random: expressions cannot be learnt here
        for _ in range(frames):  # near-duplicate frames of one sequence
            X.append(np.clip(face + rng.normal(0, 4, face.shape), 0, 255))
            y.append(label)
            groups.append(s)
X, y, groups = np.array(X), np.array(y), np.array(groups)

model = make_pipeline(PixelScaler(), KNeighborsClassifier(n_neighbors=1))
image_level = cross_val_score(model, X, y, cv=image_level_kfold(10))
grouped = cross_val_score(model, X, y, groups=groups, cv=subject_kfold(10))
print(f"image-level 10-fold:     {image_level.mean():.3f} +/- {image_level.std():.3f}")
print(f"subject-grouped 10-fold: {grouped.mean():.3f} +/- {grouped.std():.3f}")
print(f"chance:                  {1 / 7:.3f}")

fig, ax = plt.subplots(figsize=(5, 2.6))
ax.boxplot([image_level, grouped], orientation="horizontal")
ax.set_yticks([1, 2], ["image-level folds", "subject-grouped folds"])
ax.axvline(1 / 7, color="grey", ls="--", label="chance (the truth here)")
ax.set_xlabel("10-fold accuracy, labels random per sequence")
ax.legend(loc="lower right")
plt.tight_layout()
plt.show()
