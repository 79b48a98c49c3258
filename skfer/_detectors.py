"""The face detectors' names: one list for FaceCropper and the command line.

A module of its own, importing nothing, so that ``skfer predict --help``
names the choices without importing scikit-learn or OpenCV.
"""

#: the face detectors FaceCropper offers, fastest-to-load last
DETECTORS = (
    "haar",
    "blazeface",
    "blazeface+haar",
    "blazeface-back",
    "blazeface-back+haar",
)

#: FaceCropper's default: BlazeFace's back-camera model, then the Haar
#: cascade where it found no face
DEFAULT_DETECTOR = "blazeface-back+haar"
