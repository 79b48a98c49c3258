"""skfer reproduce on tiny synthetic stand-ins of FER2013 and CK+."""

import json
from pathlib import Path

import numpy as np
import pytest

from skfer.reproduce import EXPERIMENTS, reproduce, run_status, write_report

from .conftest import write_fake_datasets

FIELDS = {
    "table",
    "dataset",
    "model",
    "loss",
    "augment",
    "protocol",
    "split",
    "metric",
    "value",
    "epochs",
    "seed",
    "command",
    "wall_s",
    "versions",
}


@pytest.fixture(scope="module", autouse=True)
def tiny_model_1(tiny_registered):
    """Model 1 is stood in for by the tests' tiny CNN: these tests check the
    command (runs, resume, budgets, records, report), not the network, and
    the real one makes the file take minutes instead of seconds."""
    from skfer.models import _registry, get_model_builder

    with pytest.MonkeyPatch.context() as patch:
        patch.setitem(_registry._MODELS, "v1", get_model_builder("tiny"))
        yield


@pytest.fixture(scope="module")
def tiny_data(tmp_path_factory):
    """A FER2013-like npz (with a Training copy in PrivateTest) and a CK+ npz."""
    root = tmp_path_factory.mktemp("data")
    write_fake_datasets(root)
    return root


RUN = [
    "fer2013-v1-crossentropy-aug",
    "ckplus-v1-crossentropy-aug-subject",
    "features-v1",
    "baselines",
]


def _budget(data):
    """The tiny datasets and the smallest budget: one epoch, two folds."""
    return dict(
        fer2013=data / "fer.npz",
        ckplus=data / "ck.npz",
        epochs=1,
        ckplus_epochs=1,
        folds=2,
        verbose=0,
        command="pytest",
    )


@pytest.fixture(scope="module")
def reproduced(tiny_data, tmp_path_factory):
    runs = tmp_path_factory.mktemp("runs")
    out = tmp_path_factory.mktemp("report")
    records = reproduce(RUN, runs=runs, output=out, **_budget(tiny_data))
    return records, runs, out


def test_records_have_the_fields_and_protocols(reproduced):
    records, _, out = reproduced
    assert records == json.loads((out / "results.json").read_text())
    assert {r["experiment"] for r in records} == set(RUN)
    for r in records:
        assert FIELDS <= set(r), FIELDS - set(r)
        assert 0.0 <= r["value"] <= 1.0
        assert r["protocol"] and r["command"] == "pytest"
    fer = [r for r in records if r["experiment"] == RUN[0]]
    assert {r["split"] for r in fer} == {
        "PublicTest (chosen epoch)",
        "PrivateTest",
        "PrivateTest without Training duplicates",
        "PublicTest (chosen epoch), flips",  # test-time flips, for reference
        "PrivateTest, flips",
    }
    dedup = next(r for r in fer if r["split"].endswith("duplicates"))
    assert dedup["n"] == 29  # the planted copy is left out
    assert fer[0]["study"] == pytest.approx(62.16)
    assert fer[0]["params"] > 0 and fer[0]["epochs"] == 1
    # a wall time means little without the CPU it was measured on
    from skfer._precision import cpu_model

    assert fer[0]["versions"]["cpu"] == cpu_model() != ""
    assert set(fer[0]["versions"]["cpu_bf16_flags"]) <= {"amx_bf16", "avx512_bf16"}


def test_report_rebuilds_from_committed_evidence_alone(reproduced, tmp_path):
    import shutil

    records, runs, out = reproduced
    # the evidence (JSON only, no checkpoint) is copied beside the report
    for name in RUN:
        kept = {f.name for f in (out / "runs" / name).iterdir()}
        assert "result.json" in kept
        assert not any(f.endswith((".keras", ".h5")) for f in kept)
    assert {f.name for f in (out / "runs" / RUN[1]).iterdir()} >= {
        "fold-00.json",
        "fold-01.json",
    }
    # a new machine: no runs folder, only the committed report folder
    report = tmp_path / "report"
    shutil.copytree(out / "runs", report / "runs")
    again = write_report(tmp_path / "no-runs", report)
    assert again == records
    assert (report / "results.md").read_text() == (out / "results.md").read_text()


def test_ckplus_folds_are_subject_grouped(reproduced):
    records, runs, _ = reproduced
    ck = [r for r in records if r["dataset"] == "CK+"]
    assert {r["metric"] for r in ck} == {"accuracy", "macro_f1"}
    assert all(r["folds"] == 2 and "std" in r for r in ck)
    result = json.loads((runs / RUN[1] / "result.json").read_text())
    assert result["subject_overlap"] == 0
    assert len(result["y_true"]) == 84  # every image tested exactly once
    # the pooled confusion matrix counts the same images, class by class
    confusion = np.array(result["confusion"])
    assert confusion.shape == (7, 7) and confusion.sum() == 84
    assert np.trace(confusion) / 84 == pytest.approx(
        np.mean(np.equal(result["y_true"], result["y_pred"]))
    )


def test_committed_evidence_has_no_test_labels(reproduced):
    """The evidence beside the report (committed) keeps the confusion
    matrices but not the per-image labels or predictions, which are the
    research-only datasets' own (or give them away); the run folder keeps
    them on the machine."""
    _, runs, out = reproduced
    for name in RUN[:2]:
        kept = sorted((out / "runs" / name).glob("*.json"))
        assert kept
        for file in kept:
            record = json.loads(file.read_text())
            assert not set(record) & {"y_true", "y_pred"}, file.name
        local = json.loads((runs / name / "result.json").read_text())
        public = json.loads((out / "runs" / name / "result.json").read_text())
        assert {"y_true", "y_pred"} <= set(local)
        assert public["confusion"] == local["confusion"]
        assert sum(map(sum, public["confusion"])) == len(local["y_true"])
    folds = sorted((out / "runs" / RUN[1]).glob("fold-*.json"))
    pooled = sum(np.array(json.loads(f.read_text())["confusion"]) for f in folds)
    assert pooled.tolist() == public["confusion"]


def test_evidence_from_an_older_run_gets_its_confusion_matrix(tmp_path):
    """A run started before the matrices were recorded (its labels in
    result.json only) is made public with the matrix computed from them."""
    from skfer.reproduce.runner import keep_evidence

    run = tmp_path / "run"
    run.mkdir()
    old = {
        "label_names": ["a", "b", "c"],
        "y_true": [0, 1, 2, 2],
        "y_pred": [0, 2, 2, 2],
    }
    (run / "result.json").write_text(json.dumps(old))
    (kept,) = keep_evidence(run, tmp_path / "evidence")
    assert json.loads(kept.read_text()) == {
        "label_names": ["a", "b", "c"],
        "confusion": [[1, 0, 0], [0, 0, 1], [0, 0, 2]],
    }
    # without the class names the matrix cannot be sized: the labels still go
    (run / "result.json").write_text(json.dumps({"y_true": [0], "y_pred": [1]}))
    (kept,) = keep_evidence(run, tmp_path / "evidence")
    assert json.loads(kept.read_text()) == {}


def test_repository_evidence_has_no_test_labels():
    """What is committed under docs/results/runs has no per-image labels."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "docs" / "results" / "runs"
    files = sorted(root.rglob("*.json"))
    assert files
    leaking = []
    for file in files:
        content = json.loads(file.read_text())
        for record in content if isinstance(content, list) else [content]:
            if {"y_true", "y_pred"} & set(record):
                leaking.append(str(file.relative_to(root)))
    assert not leaking


def test_report_has_tables_and_pngs(reproduced):
    _, _, out = reproduced
    text = (out / "results.md").read_text()
    for heading in ("Table A", "Table B", "Table C", "Table D", "subject-grouped"):
        assert heading in text
    assert "not run" in text  # Model 2 experiments were not asked for
    assert "62.16" in text  # the study's figure beside ours
    pngs = sorted(p.name for p in out.glob("*.png"))
    assert pngs == sorted(
        f"{kind}_{name}.png"
        for kind in ("confusion", "learning_curve")
        for name in RUN[:2]
    )
    features = [r for r in json.loads((out / "results.json").read_text())]
    classifiers = {r.get("classifier") for r in features if r["table"] == ["D"]}
    assert {"random forest (300 trees)", "hog_linear_svm", "pca_svc"} <= classifiers


def test_rerun_resumes_without_training(reproduced, tiny_data, capsys):
    records, runs, out = reproduced
    again = reproduce(RUN[:2], runs=runs, output=out, **_budget(tiny_data))
    printed = capsys.readouterr().out
    assert "fold 1/2" not in printed  # finished folds are not retrained
    first = {(r["experiment"], r["split"], r["metric"]): r["value"] for r in records}
    second = {(r["experiment"], r["split"], r["metric"]): r["value"] for r in again}
    assert first == second
    assert write_report(runs, out) == again


@pytest.fixture
def epoch_clock(monkeypatch):
    """A clock for the time limit that moves only when a training epoch ends
    (2 s an epoch), so the budget tests do not depend on this machine's speed."""
    import time
    import types

    from skfer.reproduce import runner as module

    now = [0.0]
    fake = types.SimpleNamespace(
        **{name: getattr(time, name) for name in ("perf_counter", "time", "sleep")},
        monotonic=lambda: now[0],
    )
    monkeypatch.setattr(module, "time", fake)
    original = module._deadline_callback

    def ticking(deadline):
        check = original(deadline)
        on_epoch_end = check.on_epoch_end

        def tick(epoch, logs=None):
            now[0] += 2.0
            on_epoch_end(epoch, logs)

        check.on_epoch_end = tick
        return check

    monkeypatch.setattr(module, "_deadline_callback", ticking)
    return now


def test_time_limit_stops_and_resumes(tiny_data, tmp_path, epoch_clock):
    kwargs = dict(
        fer2013=tiny_data / "fer.npz",
        runs=tmp_path / "runs",
        output=tmp_path / "out",
        epochs=2,
        verbose=0,
    )
    # each epoch "takes" 2 s: the first one crosses the 1 s limit
    records = reproduce([RUN[0]], time_limit=1.0, **kwargs)
    state = json.loads((tmp_path / "runs" / RUN[0] / "state.json").read_text())
    assert state["epochs_done"] == 1 and len(state["epoch_seconds"]) == 1
    assert records and not records[0]["complete"]
    assert run_status(tmp_path / "runs", RUN[0]) == (
        "unfinished: 1 of 2 epochs done (re-run to resume)"
    )
    assert "unfinished" in (tmp_path / "out" / "results.md").read_text()
    # classifiers on an unfinished network's features say so
    features = [r for r in reproduce(["features-v1"], **kwargs) if r["table"] == ["D"]]
    assert features and not any(r["complete"] for r in features)
    assert all(r["epochs"] == 1 and r["epochs_planned"] == 2 for r in features)
    text = (tmp_path / "out" / "results.md").read_text()
    assert "Model 1 (1 of 2 epochs, unfinished)" in text
    assert "unfinished (budget): features-v1, fer2013-v1" in text
    assert run_status(tmp_path / "runs", "features-v1") == (
        "finished, on an unfinished network"
    )
    records = reproduce([RUN[0]], **kwargs)
    assert records[0]["complete"] and records[0]["epochs"] == 2
    (private,) = [
        r["value"]
        for r in records
        if r["experiment"] == RUN[0]
        and r["split"] == "PrivateTest"
        and r["metric"] == "accuracy"
    ]
    assert run_status(tmp_path / "runs", RUN[0]) == (
        f"finished: 2 epochs, PrivateTest {100 * private:.2f}%"
    )


def test_unknown_experiment_and_bad_budget(tmp_path):
    with pytest.raises(ValueError, match="Unknown experiment 'fer2013-v3'"):
        reproduce(["fer2013-v3"], runs=tmp_path, output=tmp_path)
    with pytest.raises(ValueError, match="folds must be at least 2"):
        reproduce(["baselines"], folds=1, runs=tmp_path, output=tmp_path)


def test_cli_lists_experiments(capsys, tmp_path):
    from skfer.cli import main

    argv = ["reproduce", "--list", "--runs", str(tmp_path / "none")]
    assert main([*argv, "--output", str(tmp_path / "no-report")]) == 0
    printed = capsys.readouterr().out
    assert all(name in printed for name in EXPERIMENTS)
    # no runs folder and no committed evidence: no status column
    assert "not started" not in printed


def test_cli_lists_runs_finished_elsewhere_from_their_evidence(reproduced, capsys):
    """A new machine has no runs folder, only the report with its evidence:
    ``--list`` says which runs finished (and their figure) instead of "not
    started" for all."""
    from skfer.cli import main

    _, runs, out = reproduced
    argv = ["reproduce", "--list", "--runs", str(out / "no-runs"), "--output"]
    assert main([*argv, str(out)]) == 0
    lines = {
        line.split()[0]: line for line in capsys.readouterr().out.splitlines()
    }
    result = json.loads((runs / RUN[0] / "result.json").read_text())
    private = 100 * result["private"]["accuracy"]
    assert lines[RUN[0]].endswith(
        f" finished: 1 epoch, PrivateTest {private:.2f}% (committed evidence)"
    )
    assert " finished at 1 epoch per fold: " in lines[RUN[1]]
    assert lines[RUN[1]].endswith("% (committed evidence)")
    assert lines["features-v1"].endswith(" finished (committed evidence)")
    assert lines["fer2013-v2-svm-aug"].endswith(" not started")
    # a runs folder that has the experiment wins over the evidence
    assert run_status(runs, RUN[0], out) == run_status(runs, RUN[0])


def test_status_from_a_report_without_evidence(tmp_path):
    """Figures of an earlier machine kept only in ``results.json``."""
    record = {"experiment": "fer2013-v1-crossentropy-aug", "epochs": 30}
    records = [
        {**record, "split": "PublicTest", "metric": "accuracy", "value": 0.6},
        {**record, "split": "PrivateTest", "metric": "accuracy", "value": 0.65031},
        {**record, "split": "PrivateTest", "metric": "macro_f1", "value": 0.6},
    ]
    (tmp_path / "results.json").write_text(json.dumps(records))
    status = run_status(tmp_path / "no-runs", record["experiment"], tmp_path)
    assert status == "finished: 30 epochs, PrivateTest 65.03% (in the report)"
    assert run_status(tmp_path / "no-runs", "baselines", tmp_path) == "not started"


def test_status_of_unfinished_evidence(tmp_path):
    """Evidence of a run stopped by its budget says so, with its figure."""
    fer = {"epochs_done": 27, "epochs_planned": 50, "private": {"accuracy": 0.6807}}
    ck = {"epochs_done": 60, "folds": 3, "folds_planned": 10, "accuracy_mean": 0.85}
    for name, result in zip(RUN, [fer, {**ck, "accuracy_std": 0.02}]):
        (tmp_path / "runs" / name).mkdir(parents=True)
        result = {**result, "complete": False}
        (tmp_path / "runs" / name / "result.json").write_text(json.dumps(result))
    status = [run_status(tmp_path / "no-runs", name, tmp_path) for name in RUN[:2]]
    assert status == [
        "unfinished: 27 of 50 epochs, PrivateTest 68.07% (committed evidence)",
        "unfinished at 60 epochs per fold (3 of 10 folds): 85.00 ± 2.00% "
        "(committed evidence)",
    ]


def test_cli_lists_where_each_run_stands(reproduced, capsys):
    from skfer.cli import main

    _, runs, out = reproduced
    argv = ["reproduce", "--list", "--runs", str(runs), "--output", str(out)]
    assert main(argv) == 0
    lines = {
        line.split()[0]: line for line in capsys.readouterr().out.splitlines()
    }
    assert "finished: 1 epoch, PrivateTest " in lines[RUN[0]]
    assert "finished at 1 epoch per fold: " in lines[RUN[1]]
    assert lines["features-v1"].endswith(" finished")
    assert lines["fer2013-v2-svm-aug"].endswith(" not started")


def test_cli_stops_quietly_when_the_reader_goes_away():
    """``skfer reproduce --list | head -1``: no traceback, no error."""
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "skfer.cli", "reproduce", "--list"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    proc.stdout.close()  # the reader leaves before the listing is written
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 0, stderr
    assert stderr == ""


def _ckplus_budget(data, tmp_path, epochs):
    """Two CK+ folds of the tiny data, ``epochs`` each, in ``tmp_path``."""
    return dict(
        ckplus=data / "ck.npz",
        runs=tmp_path / "runs",
        output=tmp_path / "out",
        ckplus_epochs=epochs,
        folds=2,
    )


def test_ckplus_time_limit_reports_finished_folds(tiny_data, tmp_path, epoch_clock):
    kwargs = _ckplus_budget(tiny_data, tmp_path, epochs=1)
    # fold 1's epoch "takes" 2 s, over the 1 s limit: fold 2 is not started
    (partial,) = [
        r
        for r in reproduce([RUN[1]], time_limit=1.0, **kwargs)
        if r["metric"] == "accuracy"
    ]
    assert not partial["complete"]
    assert (partial["folds"], partial["folds_planned"]) == (1, 2)
    assert "1 of 2 folds" in (tmp_path / "out" / "results.md").read_text()
    assert run_status(tmp_path / "runs", RUN[1]) == "1 epoch per fold: 1 fold done"
    (full,) = [r for r in reproduce([RUN[1]], **kwargs) if r["metric"] == "accuracy"]
    assert full["complete"] and full["folds"] == 2
    assert run_status(tmp_path / "runs", RUN[1]) == (
        f"finished at 1 epoch per fold: {100 * full['value']:.2f} ± "
        f"{100 * full['std']:.2f}%"
    )


def test_status_names_the_fold_in_progress(tiny_data, tmp_path, epoch_clock):
    """A CK+ run stopped inside a fold: its folder says which, and where."""
    kwargs = _ckplus_budget(tiny_data, tmp_path, epochs=2)
    assert run_status(kwargs["runs"], RUN[1]) == "not started"
    reproduce([RUN[1]], time_limit=1.0, **kwargs)  # stops after fold 1's epoch 1
    assert run_status(kwargs["runs"], RUN[1]) == (
        "2 epochs per fold: 0 folds done, fold-00 at epoch 1"
    )


def _fake_fer_run(runs, name, curve, planned, private=None):
    folder = runs / name
    folder.mkdir(parents=True)
    result = {
        "epochs_done": len(curve),
        "epochs_planned": planned,
        "complete": len(curve) == planned,
        "history": {"val_accuracy": curve},
        "private": {"accuracy": private},
    }
    (folder / "result.json").write_text(json.dumps(result))


def test_outlook_extrapolates_an_unfinished_run_from_the_finished_one(tmp_path):
    from skfer.reproduce import outlook

    assert outlook(tmp_path) == []
    _fake_fer_run(
        tmp_path, "fer2013-v1-crossentropy-aug", [0.3, 0.4, 0.5, 0.6], 4, 0.62
    )
    _fake_fer_run(tmp_path, "fer2013-v2-crossentropy-aug", [0.35, 0.45], 50)
    (line,) = outlook(tmp_path)
    # best by epoch 2: 45% vs 40%; Model 1's best 60% (epoch 4), PrivateTest 62%
    assert "stopped after 2 of 50 epochs" in line
    assert "45.00% (epoch 2)" in line and "40.00% for fer2013-v1" in line
    assert "lead of 5.0 points" in line
    assert "about 65.00% PublicTest" in line and "about 67.00% PrivateTest" in line
    assert "not a measurement" in line
    # an unfinished run without a finished partner gets no line
    _fake_fer_run(tmp_path, "fer2013-v2-svm-aug", [0.2], 50)
    assert len(outlook(tmp_path)) == 1


@pytest.mark.parametrize(
    "typed, meant",
    [
        ("fer2013-v2-ce-aug", "fer2013-v2-crossentropy-aug"),
        ("ckplus-v1-ce-subject", "ckplus-v1-crossentropy-aug-subject"),
        ("ckplus-v1-finetune-subject", "ckplus-v1-finetuned-subject"),
        ("ckplus-v2-image", "ckplus-v2-crossentropy-aug-image"),
        ("fer2013-v2-noaug", "fer2013-v2-crossentropy-noaug"),
        ("baseline", "baselines"),
    ],
)
def test_misspelt_experiment_suggests_the_one_meant(typed, meant, tmp_path):
    with pytest.raises(ValueError, match=f"Did you mean '{meant}'"):
        reproduce([typed], runs=tmp_path, output=tmp_path)


def test_svm_loss_and_no_augmentation_runs_fill_tables_a_and_b(tiny_data, tmp_path):
    runs = ["fer2013-v2-svm-aug", "fer2013-v2-crossentropy-noaug"]
    records = reproduce(runs, runs=tmp_path, output=tmp_path, **_budget(tiny_data))
    private = {
        r["experiment"]: r
        for r in records
        if r["split"] == "PrivateTest" and r["metric"] == "accuracy"
    }
    assert set(private) == set(runs)
    assert (private[runs[0]]["loss"], private[runs[0]]["augment"]) == ("svm", True)
    assert private[runs[0]]["study"] == pytest.approx(65.64)
    assert (private[runs[1]]["augment"], private[runs[1]]["study"]) == (
        False,
        pytest.approx(64.56),
    )
    text = (tmp_path / "results.md").read_text()
    table_a = text.split("## Table A")[1].split("## Table B")[0]
    assert "| off | 64.56 | not run" not in table_a and "| off | 64.56 |" in table_a
    table_b = text.split("## Table B")[1].split("## Table C")[0]
    assert "| FER2013 | svm | 65.64 | not run" not in table_b
    assert "| FER2013 | svm | 65.64 |" in table_b


def test_missing_matplotlib_fails_before_any_training(tiny_data, tmp_path, monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_matplotlib(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_matplotlib)
    with pytest.raises(ImportError, match="Nothing was trained"):
        reproduce([RUN[0]], runs=tmp_path / "runs", output=tmp_path / "out",
                  **_budget(tiny_data))
    assert not (tmp_path / "runs").exists()


def test_report_figures_leave_the_callers_matplotlib_backend(tmp_path):
    """write_report drew with pyplot after matplotlib.use("Agg"), switching a
    notebook's backend for the rest of its session."""
    import matplotlib

    from skfer.reproduce.plots import plot_runs

    evidence = Path(__file__).resolve().parents[1] / "docs" / "results" / "runs"
    before = matplotlib.get_backend()
    matplotlib.use("svg")  # a non-interactive backend that is not Agg
    try:
        pngs = plot_runs(tmp_path / "no-runs", tmp_path, evidence=evidence)
        assert matplotlib.get_backend() == "svg"
    finally:
        matplotlib.use(before)
    assert pngs and all(p.stat().st_size > 1000 for p in pngs)
    assert (tmp_path / "confusion_fer2013-v2-crossentropy-aug.png").exists()


def test_a_recipe_probe_reads_publictest_only(tiny_data, tmp_path):
    """A probe (issue 32's recipe choice) trains like a FER2013 run, with its
    crop, and is scored on PublicTest plain, with flips and with ten crops;
    no PrivateTest figure is computed."""
    import json

    name = "probe-fer2013-v1-adam-crop44"
    records = reproduce([name], runs=tmp_path, output=tmp_path, **_budget(tiny_data))
    splits = {r["split"] for r in records if r["experiment"] == name}
    assert splits == {
        "PublicTest (chosen epoch)",
        "PublicTest (chosen epoch), flips",
        "PublicTest (chosen epoch), ten crops",
    }
    result = json.loads((tmp_path / name / "result.json").read_text())
    assert not [key for key in result if "private" in key.lower()]
    assert result["recipe"]["crop"] == 44
    state = json.loads((tmp_path / name / "state.json").read_text())
    assert state["settings"]["crop"] == 44
    table = (tmp_path / "results.md").read_text().split("## Recipe probes")[1]
    row = next(line for line in table.splitlines() if line.startswith(f"| {name} "))
    assert "not run" not in row and "n/a" not in row
    assert "| probe-fer2013-v1-adam | " in table  # the others: not run


def test_the_crop_finetune_starts_from_v2_fer2013_and_reports_ten_crops(
    tiny_data, tmp_path
):
    """fer2013-v2-crop44-finetuned (ours): Model 2 fine-tuned from the shipped
    v2-fer2013 into 44x44 windows; its records hold the centre window, flips
    and ten crops on PublicTest and PrivateTest."""
    import json

    name = "fer2013-v2-crop44-finetuned"
    records = reproduce([name], runs=tmp_path, output=tmp_path, **_budget(tiny_data))
    splits = {r["split"] for r in records if r["experiment"] == name}
    assert {
        "PublicTest (chosen epoch)",
        "PrivateTest",
        "PrivateTest, flips",
        "PublicTest (chosen epoch), ten crops",
        "PrivateTest, ten crops",
    } <= splits
    state = json.loads((tmp_path / name / "state.json").read_text())
    assert state["settings"]["crop"] == 44
    assert state["settings"]["pretrained"] == "v2-fer2013"
