"""What ``skfer reproduce`` runs: experiments, recipes, protocols, study figures."""

from dataclasses import dataclass, field

__all__ = [
    "FER_PROTOCOL",
    "SUBJECT_PROTOCOL",
    "IMAGE_PROTOCOL",
    "FEATURES_PROTOCOL",
    "BASELINE_PROTOCOL",
    "STUDY",
    "OUR_RECIPE",
    "OUR_EPOCHS",
    "CROP_FINETUNE_RECIPE",
    "CROP_FINETUNE_EPOCHS",
    "FINETUNE_RECIPE",
    "FERPLUS_PROTOCOL",
    "FERPLUS_RECIPE",
    "FERPLUS_EPOCHS",
    "FERPLUS_LONG_EPOCHS",
    "FERPLUS_CROP",
    "PROBE_PROTOCOL",
    "PROBES",
    "PROBE_EPOCHS",
    "Experiment",
    "EXPERIMENTS",
    "feature_heads",
]

FER_PROTOCOL = (
    "FER2013 official split: trained on Training, epoch chosen on PublicTest "
    "accuracy, PrivateTest reported with those weights (never used for a choice)"
)
SUBJECT_PROTOCOL = (
    "CK+ 10-fold CV grouped by subject (StratifiedGroupKFold, no subject in two "
    "folds); fixed epochs, final weights scored on the test fold"
)
IMAGE_PROTOCOL = (
    "CK+ 10-fold CV at image level (StratifiedKFold; leaky: frames of one "
    "sequence and one subject's faces on both sides), for comparison only"
)
FEATURES_PROTOCOL = (
    "penultimate-layer features of the FER2013 CNN (its best-PublicTest epoch); "
    "classifier fitted on Training with fixed hyper-parameters (nothing tuned); "
    "PublicTest and PrivateTest reported"
)
BASELINE_PROTOCOL = (
    "classical pipeline fitted on Training with fixed hyper-parameters (nothing "
    "tuned); PublicTest and PrivateTest reported"
)

#: The study's reported test accuracies (percent).
STUDY = {
    ("A", "FER2013", "v2", "crossentropy", False): 64.56,
    ("A", "FER2013", "v2", "crossentropy", True): 68.66,
    ("B", "FER2013", "v2", "crossentropy", True): 67.60,
    ("B", "FER2013", "v2", "svm", True): 65.64,
    ("B", "CK+", "v2", "crossentropy", True): 97.97,
    ("B", "CK+", "v2", "svm", True): 93.55,
    ("C", "FER2013", "v1", "crossentropy", True): 62.16,
    ("C", "FER2013", "v2", "crossentropy", True): 67.60,
    ("C", "CK+", "v1", "crossentropy", True): 93.92,
    ("C", "CK+", "v2", "crossentropy", True): 97.97,
}


#: Our training recipe for Model 2 on FER2013 (not the study's constant Adam
#: 1e-3): the study's Adam 1e-3 with a cosine learning-rate decay to 0 over a
#: fixed number of epochs, the study's augmentation, batch 64; the epoch is
#: chosen on PublicTest as always. Nesterov SGD 0.01 with the same decay was
#: tried first and dropped after 5 epochs, on its training curve alone: 33%
#: training accuracy at epoch 5 against 51% for Adam (docs/results, "Our
#: recipe").
OUR_RECIPE = {
    "optimizer": "adam",
    "learning_rate": 1e-3,
    "lr_schedule": "cosine",
}
OUR_EPOCHS = 40

#: Our crop fine-tune for FER2013 (issue 32 on a 2-core CPU, where 120
#: epochs of Model 2 from scratch take ~32 h): the shipped v2-fer2013
#: network (as shipped when the run starts: the run records its command)
#: fine-tuned into 44x44 windows (its weights fit unchanged), Adam 2e-4 with
#: a cosine decay over CROP_FINETUNE_EPOCHS, the study's augmentation; the
#: epoch chosen on PublicTest; scored on the centre window, with flips and
#: with ten crops. Fixed before it ran; the Model 1 probes chose crop 44
#: (57.45% PublicTest against 55.81% on whole images, 58.60% with ten crops).
CROP_FINETUNE_RECIPE = {
    "pretrained": "v2-fer2013",
    "crop": 44,
    "optimizer": "adam",
    "learning_rate": 2e-4,
    "lr_schedule": "cosine",
}
CROP_FINETUNE_EPOCHS = 10

#: Our CK+ fine-tuning recipe: start from the shipped FER2013 network of the
#: same model (``pretrained`` is set per model: v1-fer2013, v2-fer2013), train
#: only the new 7-class head for 2 epochs, then everything, with the study's
#: Adam 1e-3. Adam 1e-4 was tried first and dropped because its training
#: folds underfit (74-77% training accuracy after 20 epochs; decided on the
#: training curves, not the test folds: docs/results/runs/probe-ckplus-...).
FINETUNE_RECIPE = {
    "pretrained": "v1-fer2013",
    "freeze_epochs": 2,
    "learning_rate": 1e-3,
}


FERPLUS_PROTOCOL = (
    "FER2013 images with FER+ labels (microsoft/FERPlus, FER+'s majority rule, "
    "images without a majority left out): trained on Training, epoch chosen on "
    "PublicTest (FER+ majority), PrivateTest reported with those weights; "
    "n = images joined to the vote table"
)

#: Our FER+ recipe for Model 2 (not the study's; the study had no FER+):
#: fine-tune the shipped FER2013 network (its seven class columns copied,
#: contempt fresh) on the annotators' vote shares, with the square root of
#: the balanced class weights (on Model 1 that kept most of the FER+
#: accuracy of no weighting and most of the CK+ transfer of "balanced":
#: shared/FINDINGS.md), Adam 2e-4 with a cosine decay, the study's
#: augmentation. Few epochs: on a 2-core AVX2 CPU an epoch takes ~13 min.
FERPLUS_RECIPE = {
    "pretrained": "v2-fer2013",
    "learning_rate": 2e-4,
    "lr_schedule": "cosine",
    "class_weight": "sqrt-balanced",
}
FERPLUS_EPOCHS = 5
#: ferplus-v2-votes' recipe over a longer cosine (ours): that run
#: chose its last epoch, PublicTest accuracy still rising. Fixed before it
#: ran; on a 2-core AVX2 CPU about 17 min an epoch, so 8 fit a session.
FERPLUS_LONG_EPOCHS = 8
#: The same run with crop training (ours; issue 32's crops on issue 31's
#: model): ferplus-v2-votes-long's recipe and schedule, the network built
#: for 44x44 windows (v2-fer2013's weights fit it unchanged: Model 2's last
#: feature map is 2x2 at 48 and at 44), scored on the centre window, with
#: flips and with ten crops. Fixed before it ran, beside the whole-image run
#: so that the two differ in the window only.
FERPLUS_CROP = 44

#: The weighting trade-off (ours): the same fine-tune on the annotators'
#: votes with the balanced class weights raised to a power (0: none, 0.5:
#: square root, 1: scikit-learn's "balanced"; ``class_weight_power``),
#: Adam 2e-4 with a cosine decay over 3 epochs. Model 1 probes at three
#: powers; Model 2 at the balanced end (its square-root point is
#: ferplus-v2-votes, 5 epochs; v2-fer2013 scored on FER+ is its point
#: without FER+ training). The weightings are fixed here, not chosen on any
#: test figure; each run's epoch is chosen on FER+ PublicTest accuracy.
WEIGHTING_POWERS = {"v1": (0.0, 0.5, 1.0), "v2": (1.0,)}
WEIGHTING_RECIPE = {
    "learning_rate": 2e-4,
    "lr_schedule": "cosine",
    "class_weight": "balanced",
}
WEIGHTING_EPOCHS = 3

#: The FER+ Model 2 runs one of which ships as ``v2-ferplus``. The rule,
#: stated before ferplus-v2-votes-balance-1 was scored on any split: the run
#: with the highest mean of FER+ PublicTest accuracy and FER+ PublicTest
#: balanced accuracy over the seven classes FER2013 shares (figures of the
#: weights as shipped, BatchNorm statistics recomputed on Training); its
#: epoch is the run's best PublicTest accuracy. PrivateTest, FER2013 and
#: CK+ figures are read after the choice (:func:`shipped_ferplus_run`).
#: ferplus-v2-votes-long joined the candidates before it started.
#: ferplus-v2-votes-crop44 joined them before it started; a crop network
#: competes with its centre-window figures (no test-time augmentation, as
#: the others), so the shipped default keeps its one-pass cost.
FERPLUS_SHIPPED_CANDIDATES = (
    "ferplus-v2-votes",
    "ferplus-v2-votes-balance-1",
    "ferplus-v2-votes-long",
    "ferplus-v2-votes-crop44",
)


PROBE_PROTOCOL = (
    "FER2013 official split: trained on Training, epoch chosen on PublicTest "
    "accuracy, PublicTest figures only (no PrivateTest figure is computed: the "
    "probes choose the recipe of a longer run)"
)
#: The recipe probes for the FER2013 ceiling (ours, fixed before any ran):
#: Model 1 from scratch, the study's augmentation, a cosine decay over
#: PROBE_EPOCHS epochs; they decide crop size (none, 44, 40) and optimiser
#: (Adam 1e-3 against SGD 1e-2 with Nesterov momentum 0.9 and an L2 penalty
#: of 2.5e-4, i.e. a weight decay of 5e-4) for a long Model 2 run. Each is
#: scored on PublicTest plain, with flips and, with a crop, ten crops.
PROBE_EPOCHS = 10
_ADAM_COSINE = {"optimizer": "adam", "learning_rate": 1e-3, "lr_schedule": "cosine"}
PROBES = {
    "adam": _ADAM_COSINE,
    "adam-crop44": {**_ADAM_COSINE, "crop": 44},
    "adam-crop40": {**_ADAM_COSINE, "crop": 40},
    "sgd-crop44": {
        "optimizer": "sgd",
        "learning_rate": 1e-2,
        "optimizer__momentum": 0.9,
        "l2": 2.5e-4,
        "lr_schedule": "cosine",
        "crop": 44,
    },
}


@dataclass(frozen=True)
class Experiment:
    """One unit of work of the reproduction; ``name`` is its run folder."""

    name: str
    # "fer2013", "ckplus", "features", "baselines", "ferplus" or "probe"
    kind: str
    tables: tuple
    model: str = ""
    loss: str = "crossentropy"
    augment: bool = True
    split: str = ""  # CK+: "subject" or "image"
    extras: dict = field(default_factory=dict, compare=False, hash=False)


def _experiments():
    out = []
    for model, loss, augment, tables in (
        ("v2", "crossentropy", True, ("A", "B", "C")),
        ("v2", "crossentropy", False, ("A",)),
        ("v2", "svm", True, ("B",)),
        ("v1", "crossentropy", True, ("C",)),
    ):
        tag = "aug" if augment else "noaug"
        out.append(
            Experiment(
                f"fer2013-{model}-{loss}-{tag}", "fer2013", tables, model, loss, augment
            )
        )
    for model, loss, split, tables in (
        ("v1", "crossentropy", "subject", ("C", "CK+")),
        ("v2", "crossentropy", "subject", ("B", "C", "CK+")),
        ("v2", "svm", "subject", ("B",)),
        ("v1", "crossentropy", "image", ("CK+",)),
        ("v2", "crossentropy", "image", ("CK+",)),
    ):
        out.append(
            Experiment(
                f"ckplus-{model}-{loss}-aug-{split}",
                "ckplus",
                tables,
                model,
                loss,
                True,
                split,
            )
        )
    for model in ("v1", "v2"):
        out.append(
            Experiment(
                f"features-{model}",
                "features",
                ("D",),
                model,
                extras={"source": f"fer2013-{model}-crossentropy-aug"},
            )
        )
    out.append(Experiment("baselines", "baselines", ("D",)))
    # ours: CK+ folds fine-tuned from the shipped FER2013 network (no CK+ image
    # was used to train it); fixed recipe, not chosen on the test folds
    for model in ("v1", "v2"):
        out.append(
            Experiment(
                f"ckplus-{model}-finetuned-subject",
                "ckplus",
                ("CK+",),
                model,
                "crossentropy",
                True,
                "subject",
                extras={
                    "recipe": {**FINETUNE_RECIPE, "pretrained": f"{model}-fer2013"}
                },
            )
        )
    # not the study's recipe: ours, reported beside the study's rows
    out.append(
        Experiment(
            "fer2013-v2-ours",
            "fer2013",
            ("ours",),
            "v2",
            "crossentropy",
            True,
            extras={"recipe": OUR_RECIPE, "epochs": OUR_EPOCHS},
        )
    )
    out.append(
        Experiment(
            "fer2013-v2-crop44-finetuned",
            "fer2013",
            ("ours",),
            "v2",
            "crossentropy",
            True,
            extras={"recipe": CROP_FINETUNE_RECIPE, "epochs": CROP_FINETUNE_EPOCHS},
        )
    )
    # FER+: the shipped FER2013 networks scored on FER+ labels (no training),
    # and Model 2 trained on the annotators' votes (ours)
    for model in ("v1", "v2"):
        out.append(
            Experiment(
                f"ferplus-{model}-fer2013-scored",
                "ferplus",
                ("FER+",),
                model,
                extras={"scored": f"{model}-fer2013"},
            )
        )
    for name, epochs, recipe in (
        ("ferplus-v2-votes", FERPLUS_EPOCHS, FERPLUS_RECIPE),
        ("ferplus-v2-votes-long", FERPLUS_LONG_EPOCHS, FERPLUS_RECIPE),
        (
            f"ferplus-v2-votes-crop{FERPLUS_CROP}",
            FERPLUS_LONG_EPOCHS,
            {**FERPLUS_RECIPE, "crop": FERPLUS_CROP},
        ),
    ):
        out.append(
            Experiment(
                name,
                "ferplus",
                ("FER+",),
                "v2",
                "crossentropy",
                True,
                extras={"recipe": recipe, "epochs": epochs, "votes": True},
            )
        )
    for model, powers in WEIGHTING_POWERS.items():
        for power in powers:
            out.append(
                Experiment(
                    f"ferplus-{model}-votes-balance-{power:g}",
                    "ferplus",
                    ("FER+",),
                    model,
                    "crossentropy",
                    True,
                    extras={
                        "recipe": {
                            **WEIGHTING_RECIPE,
                            "pretrained": f"{model}-fer2013",
                            "class_weight_power": power,
                        },
                        "epochs": WEIGHTING_EPOCHS,
                        "votes": True,
                    },
                )
            )
    for tag, recipe in PROBES.items():
        out.append(
            Experiment(
                f"probe-fer2013-v1-{tag}",
                "probe",
                ("probes",),
                "v1",
                "crossentropy",
                True,
                extras={"recipe": recipe, "epochs": PROBE_EPOCHS},
            )
        )
    return {e.name: e for e in out}


#: All experiments by name, in the order ``skfer reproduce`` runs them.
EXPERIMENTS = _experiments()


def feature_heads():
    """Table D's classifiers on CNN features, fixed hyper-parameters, by name."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import LinearSVC

    return {
        "random forest (300 trees)": RandomForestClassifier(
            n_estimators=300, n_jobs=-1, random_state=0
        ),
        "linear SVM (C=0.01)": make_pipeline(
            StandardScaler(), LinearSVC(C=0.01, random_state=0)
        ),
        "logistic regression (C=1)": make_pipeline(
            StandardScaler(), LogisticRegression(max_iter=1000)
        ),
    }
