"""Dataset loaders and the synthetic face generator (no TensorFlow import).

skfer never downloads FER2013 or CK+ (neither may be redistributed): the
loaders read the files you obtained, in the formats they come in.
"""

from ._base import CKPLUS_LABELS, FER2013_LABELS, get_data_home
from ._ckplus import load_ckplus
from ._fer2013 import FER2013_USAGES, load_fer2013
from ._ferplus import (
    FERPLUS_LABELS,
    FERPLUS_VOTE_NAMES,
    ferplus_majority,
    read_ferplus_votes,
)
from ._folder import load_image_folder
from ._samples_generator import make_faces

__all__ = [
    "CKPLUS_LABELS",
    "FER2013_LABELS",
    "FER2013_USAGES",
    "FERPLUS_LABELS",
    "FERPLUS_VOTE_NAMES",
    "ferplus_majority",
    "read_ferplus_votes",
    "get_data_home",
    "load_ckplus",
    "load_fer2013",
    "load_image_folder",
    "make_faces",
]
