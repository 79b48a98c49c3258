"""
Find faces in photos and read their expressions
===============================================

The steps between a photo and an expression are public and reusable:
:meth:`~skfer.preprocessing.FaceCropper.detect` finds face boxes,
:meth:`~skfer.preprocessing.FaceCropper.crop` cuts them to the network's
48x48 input, :meth:`~skfer.preprocessing.FaceCropper.crop_faces` also says
which photos had a face, and :class:`~skfer.inference.FERPredictor` does all
of it with the shipped model. Pixels follow one rule everywhere
(:func:`~skfer.preprocessing.scale_pixels`), so a photo as uint8 and the same
photo as floats in [0, 1] give the same answer. Runs in a few seconds offline
(the photos come with scikit-image).
"""

import matplotlib.pyplot as plt
import numpy as np
from skimage import data

from skfer.inference import FERPredictor, pretrained
from skfer.preprocessing import FaceCropper

photos = {
    "astronaut": data.astronaut(),
    "astronaut, mirrored": data.astronaut()[:, ::-1],
    "astronaut, floats in [0, 1]": data.astronaut() / 255.0,
    "coffee (no face)": data.coffee(),
}

# %%
# Which photos have a face? ``crop_faces`` returns the crops and a mask;
# a photo without a face gets its centre square (``on_missing="keep"``).
cropper = FaceCropper()
crops, found = cropper.crop_faces(list(photos.values()))
for name, has_face in zip(photos, found):
    print(f"{name:>28}: {'face found' if has_face else 'no face'}")

# %%
# The boxes and the crops, step by step, on the first photo.
photo = photos["astronaut"]
boxes = cropper.detect([photo])[0]
print("boxes (x, y, width, height):", boxes.tolist())
faces = cropper.crop(photo, boxes)
print("crops:", faces.shape, faces.dtype)

# %%
# The shipped model reads each face; the uint8 photo and the float photo
# give the same probabilities because both follow the one pixel rule.
predictor = FERPredictor(pretrained("v1-fer2013"))
results = {name: predictor.predict_image(image) for name, image in photos.items()}
for name, faces_found in results.items():
    for face in faces_found:
        top = max(face["probabilities"].items(), key=lambda kv: kv[1])
        print(f"{name:>28}: {face['label']:<9} (p={top[1]:.2f}) box {face['box']}")
same = np.allclose(
    list(results["astronaut"][0]["probabilities"].values()),
    list(results["astronaut, floats in [0, 1]"][0]["probabilities"].values()),
    atol=1e-3,
)
print("uint8 and float photo agree:", same)

# %%
# The photos with their boxes, and the 48x48 crops the network saw.
fig, axes = plt.subplots(2, len(photos), figsize=(3 * len(photos), 6))
for ax, (name, image), crop in zip(axes.T, photos.items(), crops):
    ax[0].imshow(image)
    for face in results[name]:
        x, y, w, h = face["box"]
        ax[0].add_patch(plt.Rectangle((x, y), w, h, fill=False, color="lime", lw=2))
        ax[0].text(x, y - 8, face["label"], color="lime", fontsize=10)
    ax[0].set_title(name, fontsize=9)
    ax[1].imshow(crop, cmap="gray")
    ax[1].set_title("48x48 crop" if len(results[name]) else "centre square", fontsize=9)
    for a in ax:
        a.axis("off")
fig.tight_layout()
plt.show()
