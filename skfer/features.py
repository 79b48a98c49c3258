"""CNN embeddings as a scikit-learn transformer (for classical classifiers on top)."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, clone

from ._utils import check_fitted, feature_names
from .exceptions import InvalidValueError, NotFittedError

__all__ = ["BASELINES", "CNNFeatureExtractor", "HOGFeatures", "make_baseline"]


class CNNFeatureExtractor(TransformerMixin, BaseEstimator):
    """Penultimate-layer embeddings of a :class:`~skfer.FERClassifier`.

    ``make_pipeline(PixelScaler(), CNNFeatureExtractor(FERClassifier()),
    RandomForestClassifier())`` trains the CNN on the pipeline's training
    data, then the forest on its embeddings (the study's "random forest on
    CNN features").

    Parameters
    ----------
    estimator : FERClassifier, optional
        The network. Default: ``FERClassifier()`` (Model 2).
    layer : str, default="embedding"
        Name of the layer whose output is returned (the built-in models name
        their penultimate layer ``"embedding"``).
    prefit : bool, default=False
        If True, ``estimator`` is already fitted and is used as is; ``fit``
        trains nothing. If False, ``fit`` trains a clone on ``(X, y)``.
    batch_size : int, default=256
        Images per forward pass in ``transform``.

    Attributes
    ----------
    estimator_ : FERClassifier
        The fitted network.
    n_features_in_ : int
        Pixels per image.
    n_features_out_ : int
        Embedding size.

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from skfer import FERClassifier
    >>> from skfer.datasets import make_faces
    >>> from skfer.features import CNNFeatureExtractor
    >>> X, y = make_faces(60, random_state=0)
    >>> cnn = FERClassifier(model="v1", epochs=1, random_state=0)
    >>> pipe = make_pipeline(CNNFeatureExtractor(cnn), RandomForestClassifier(10))
    >>> pipe.fit(X, y).predict(X[:2]).shape
    (2,)
    """

    def __init__(
        self, estimator=None, *, layer="embedding", prefit=False, batch_size=256
    ):
        self.estimator = estimator
        self.layer = layer
        self.prefit = prefit
        self.batch_size = batch_size

    def fit(self, X, y=None):
        """Train the network (unless ``prefit``) and record sizes.

        Parameters
        ----------
        X : array-like
            Images, as for FERClassifier.
        y : array-like of shape (n,)
            Labels; required unless ``prefit=True``.

        Returns
        -------
        self
        """
        if self.prefit:
            if (
                self.estimator is None
                or not getattr(self.estimator, "__sklearn_is_fitted__", lambda: False)()
            ):
                raise NotFittedError(
                    "prefit=True needs a fitted FERClassifier as estimator; fit it "
                    "first or use prefit=False."
                )
            self.estimator_ = self.estimator
        else:
            if y is None:
                raise InvalidValueError(
                    "CNNFeatureExtractor requires y to train its network; pass the "
                    "labels, or a fitted estimator with prefit=True."
                )
            if self.estimator is None:
                from ._classifier import FERClassifier

                base = FERClassifier()
            else:
                base = clone(self.estimator)
            self.estimator_ = base.fit(X, y)
        self._network()  # fail now if the layer does not exist
        self.n_features_in_ = self.estimator_.n_features_in_
        self.n_features_out_ = int(self._network().output.shape[-1])
        return self

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]  # the network's dtype
        return tags

    def _network(self):
        """Keras model from the image input to ``layer`` (built on demand)."""
        from ._keras import find_network, keras

        # the same lookup as the estimator's (augmentation layers skipped); a
        # flat model a user built is its own network
        net = find_network(self.estimator_.model_, strict=False)
        try:
            target = net.get_layer(self.layer)
        except ValueError:
            names = [layer.name for layer in net.layers]
            raise InvalidValueError(
                f"The network has no layer named {self.layer!r}; its layers are "
                f"{names}."
            ) from None
        return keras.Model(net.inputs, target.output)

    def transform(self, X):
        """Return the embeddings, ``(n, n_features_out_)`` float32.

        Parameters
        ----------
        X : array-like
            Images, as for FERClassifier.

        Returns
        -------
        features : ndarray of float32
        """
        check_fitted(self, "estimator_")
        images = self.estimator_._validate_X(X, reset=False)
        images = self.estimator_._network_input(images)  # crop: centre window
        features = self._network().predict(
            images, batch_size=self.batch_size, verbose=0
        )
        return np.asarray(features, dtype=np.float32).reshape(len(images), -1)

    def get_feature_names_out(self, input_features=None):
        """Names ``cnn0``, ``cnn1``, ... of the embedding dimensions.

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        names : ndarray of str
        """
        check_fitted(self, "n_features_out_")
        return feature_names("cnn", self.n_features_out_)


class HOGFeatures(TransformerMixin, BaseEstimator):
    """Histogram-of-oriented-gradients descriptors (scikit-image) of each image.

    Colour images (RGB or RGBA, channel last) are greyed first, as
    :class:`~skfer.preprocessing.ToGrayscale` does (luma: 0.299 R + 0.587 G +
    0.114 B); pixels follow skfer's pixel rule.

    Parameters
    ----------
    orientations : int, default=9
    pixels_per_cell : int, default=8
    cells_per_block : int, default=2

    Examples
    --------
    >>> import numpy as np
    >>> from skfer.features import HOGFeatures
    >>> HOGFeatures().fit_transform(np.zeros((2, 48, 48), np.uint8)).shape
    (2, 900)
    """

    def __init__(self, *, orientations=9, pixels_per_cell=8, cells_per_block=2):
        self.orientations = orientations
        self.pixels_per_cell = pixels_per_cell
        self.cells_per_block = cells_per_block

    def fit(self, X, y=None):
        """Record the input size; nothing is learned.

        Parameters
        ----------
        X : array-like of images or flat square rows
        y : ignored

        Returns
        -------
        self
        """
        images = self._images(X)
        self.n_features_in_ = int(np.prod(images.shape[1:]))
        self.n_features_out_ = self._describe(images[:1]).shape[1]
        return self

    @staticmethod
    def _images(X):
        """Grey images ``(n, h, w)`` in [0, 1]: colour is greyed as
        :class:`~skfer.preprocessing.ToGrayscale` does (luma of RGB)."""
        from ._utils import as_image_batch, scale_pixels
        from .preprocessing import ToGrayscale

        images = as_image_batch(X)
        if images.shape[-1] != 1:
            images = ToGrayscale().fit_transform(images)[..., None]
        return scale_pixels(images)[..., 0]

    def _describe(self, images):
        from skimage.feature import hog

        return np.stack(
            [
                hog(
                    image,
                    orientations=self.orientations,
                    pixels_per_cell=(self.pixels_per_cell,) * 2,
                    cells_per_block=(self.cells_per_block,) * 2,
                    feature_vector=True,
                )
                for image in images
            ]
        ).astype(np.float32)

    def transform(self, X):
        """Return the HOG descriptors, ``(n, n_features_out_)``.

        Parameters
        ----------
        X : array-like of images or flat square rows

        Returns
        -------
        descriptors : ndarray of float32
        """
        check_fitted(self, "n_features_out_")
        return self._describe(self._images(X))

    def get_feature_names_out(self, input_features=None):
        """Names ``hog0``, ``hog1``, ...

        Parameters
        ----------
        input_features : ignored

        Returns
        -------
        names : ndarray of str
        """
        check_fitted(self, "n_features_out_")
        return feature_names("hog", self.n_features_out_)


BASELINES = ("pca_svc", "hog_linear_svm", "rf_pixels")


def make_baseline(name, *, random_state=0):
    """A classical (non-CNN) FER baseline as a scikit-learn pipeline.

    Parameters
    ----------
    name : {"pca_svc", "hog_linear_svm", "rf_pixels"}
        ``"pca_svc"``: pixels / 255, PCA to 100 whitened components, RBF SVC.
        ``"hog_linear_svm"``: HOG descriptors, standardised, linear SVM.
        ``"rf_pixels"``: a 300-tree random forest on the raw pixels.
    random_state : int, default=0

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline

    Examples
    --------
    >>> from skfer.features import make_baseline
    >>> [step for step, _ in make_baseline("hog_linear_svm").steps]
    ['hogfeatures', 'standardscaler', 'linearsvc']
    """
    from sklearn.decomposition import PCA
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC, LinearSVC

    from ._utils import did_you_mean
    from .preprocessing import PixelScaler

    if name == "pca_svc":
        return make_pipeline(
            PixelScaler(),
            PCA(n_components=100, whiten=True, random_state=random_state),
            SVC(random_state=random_state),
        )
    if name == "hog_linear_svm":
        return make_pipeline(
            HOGFeatures(),
            StandardScaler(),
            LinearSVC(C=0.01, random_state=random_state),
        )
    if name == "rf_pixels":
        return make_pipeline(
            RandomForestClassifier(
                n_estimators=300, n_jobs=-1, random_state=random_state
            )
        )
    raise InvalidValueError(
        f"Unknown baseline {name!r}.{did_you_mean(name, BASELINES)} Choose from "
        f"{', '.join(BASELINES)}."
    )
