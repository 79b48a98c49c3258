"""
Fine-tune the pretrained model on your own image folder
=======================================================

Your faces, your classes: a folder with one sub-folder per class is all
:func:`skfer.datasets.load_image_folder` needs. This example writes such a
folder of synthetic faces with three classes of its own, then trains Model 1
on it twice for the same few epochs: from random weights, and starting from
the shipped ``v1-fer2013`` network (``pretrained="v1-fer2013"``) with its
layers frozen for the first two epochs so that the new three-class head
learns first. Held-out accuracy of both is plotted. About half a minute on
two CPU cores; nothing is downloaded.
"""

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image
from sklearn.model_selection import train_test_split

from skfer import FERClassifier
from skfer.datasets import load_image_folder, make_faces

# %%
# A folder of PNG faces, one sub-folder per class (here: synthetic faces).
folder = Path(tempfile.mkdtemp()) / "my_faces"
X, y = make_faces(n_samples=240, n_classes=3, random_state=0)
names = np.array(["calm", "cheerful", "startled"])
for i, (pixels, label) in enumerate(zip(X, names[y])):
    (folder / label).mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels.reshape(48, 48)).save(folder / label / f"{i:04d}.png")

data = load_image_folder(folder, size=(48, 48))
X_train, X_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.3, stratify=data.target, random_state=0
)
classes = ", ".join(map(str, data.target_names))
print(f"{len(X_train)} training and {len(X_test)} test faces; classes: {classes}")

# %%
# The same network and budget, from scratch and from the pretrained weights.
common = dict(model="v1", epochs=4, batch_size=32, augment=False, random_state=0)
scratch = FERClassifier(**common).fit(X_train, y_train)
tuned = FERClassifier(
    **common, pretrained="v1-fer2013", freeze_epochs=2, learning_rate=1e-3
).fit(X_train, y_train)
scores = {
    "from scratch": scratch.score(X_test, y_test),
    "fine-tuned from v1-fer2013": tuned.score(X_test, y_test),
}
for name, score in scores.items():
    print(f"{name}: {score:.3f}")

# %%
# Held-out accuracy after four epochs (chance: 1/3).
fig, ax = plt.subplots(figsize=(6, 2.5))
ax.barh(list(scores), list(scores.values()))
ax.axvline(1 / 3, color="grey", ls="--", label="chance")
ax.set_xlim(0, 1)
ax.set_xlabel("held-out accuracy")
ax.legend(loc="lower right")
plt.tight_layout()
