"""FERSearchCV: search quality, fresh studies, pruning, resume, PostgreSQL workers."""

import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import optuna
import pytest
from optuna.distributions import FloatDistribution
from sklearn.base import is_classifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline

from skfer import FERClassifier
from skfer.preprocessing import PixelScaler
from skfer.tuning import (
    FERSearchCV,
    default_search_space,
    plot_optimization_history,
    plot_param_importances,
)

WORKER = Path(__file__).resolve().parent / "_tune_worker.py"
TINY = dict(model="tiny", augment=False, batch_size=16, random_state=0)


@pytest.fixture(scope="module")
def squares():
    """(X, y): 16x16 noise with a bright square whose corner is the class."""
    rng = np.random.default_rng(0)
    n = 180
    y = np.arange(n) % 3
    X = rng.uniform(0, 0.3, size=(n, 16, 16)).astype("float32")
    for i, label in enumerate(y):
        r, c = [(1, 1), (1, 9), (9, 5)][label]
        X[i, r : r + 6, c : c + 6] += 0.7
    return X.reshape(n, -1), y


def test_search_beats_a_bad_default(squares):
    X, y = squares
    X_train, y_train, X_test, y_test = X[:120], y[:120], X[120:], y[120:]
    default = FERClassifier(learning_rate=1e-5, epochs=3, **TINY).fit(X_train, y_train)
    search = FERSearchCV(
        FERClassifier(learning_rate=1e-5, epochs=3, **TINY),
        {"learning_rate": FloatDistribution(1e-5, 3e-2, log=True)},
        n_trials=6,
        cv=2,
        pruner=None,
        random_state=0,
    ).fit(X_train, y_train)
    assert search.best_params_["learning_rate"] > 1e-4
    assert search.score(X_test, y_test) >= default.score(X_test, y_test) + 0.2
    assert search.best_estimator_.learning_rate == search.best_params_["learning_rate"]
    results = search.cv_results_
    assert len(results["mean_test_score"]) == 6
    assert results["rank_test_score"][search.best_index_] == 1
    np.testing.assert_allclose(
        results["mean_test_score"],
        (results["split0_test_score"] + results["split1_test_score"]) / 2,
    )


def test_each_fit_starts_a_new_study(squares):
    X, y = squares
    search = FERSearchCV(
        LogisticRegression(max_iter=100), {"C": [0.01, 0.1, 1.0]}, n_trials=3
    )
    first = search.fit(X, y).study_
    second = search.fit(X, y).study_
    assert first is not second
    assert search.n_trials_ == 3
    outer = cross_validate(search, X, y, cv=2, return_estimator=True)
    assert [s.n_trials_ for s in outer["estimator"]] == [3, 3]
    assert outer["estimator"][0].study_ is not outer["estimator"][1].study_


def test_a_callable_space_sets_the_estimator_parameters_it_returns(squares):
    X, y = squares

    def space(trial):
        return {"C": 10 ** trial.suggest_int("log10_C", -3, 0)}

    search = FERSearchCV(
        LogisticRegression(max_iter=100), space, n_trials=3, random_state=0
    ).fit(X, y)
    assert set(search.best_params_) == {"C"}
    assert search.best_estimator_.C == search.best_params_["C"]


def test_a_passed_study_carries_its_trials(squares):
    X, y = squares
    study = optuna.create_study(direction="maximize")
    search = FERSearchCV(
        LogisticRegression(max_iter=100), {"C": [0.1, 1.0]}, n_trials=2, study=study
    )
    search.fit(X, y)
    search.set_params(n_trials=4).fit(X, y)
    assert len(study.trials) == 4 and search.study_ is study


@pytest.mark.filterwarnings("ignore::optuna.exceptions.ExperimentalWarning")
def test_pruning_prunes_bad_trials_on_the_first_fold(squares):
    X, y = squares
    search = FERSearchCV(
        FERClassifier(epochs=4, **TINY),
        {"learning_rate": [1e-7, 1e-2]},
        n_trials=4,
        cv=2,
        pruner=optuna.pruners.ThresholdPruner(lower=0.6, n_warmup_steps=1),
        sampler=optuna.samplers.BruteForceSampler(seed=0),
    ).fit(X, y)
    trials = {t.params["learning_rate"]: t for t in search.study_.trials}
    pruned, kept = trials[1e-7], trials[1e-2]
    assert pruned.state == optuna.trial.TrialState.PRUNED
    assert max(pruned.intermediate_values) < 3  # stopped before its last epoch
    assert kept.state == optuna.trial.TrialState.COMPLETE
    assert sorted(kept.intermediate_values) == [0, 1, 2, 3]  # one report per epoch
    assert search.best_params_ == {"learning_rate": 1e-2}
    assert np.isnan(search.cv_results_["mean_test_score"][pruned.number])


def test_pruning_works_through_a_pipeline(squares):
    X, y = squares
    pipe = make_pipeline(PixelScaler(), FERClassifier(epochs=2, **TINY))
    search = FERSearchCV(
        pipe,
        {"ferclassifier__learning_rate": [1e-2, 3e-3]},
        n_trials=2,
        cv=2,
        pruner=optuna.pruners.MedianPruner(n_startup_trials=5),
        random_state=0,
    ).fit(X * 255, y)
    assert all(len(t.intermediate_values) == 2 for t in search.study_.trials)
    assert search.predict(X[:5] * 255).shape == (5,)


def test_default_space_and_tags():
    space = default_search_space()
    assert set(space) == {
        "learning_rate",
        "dropout",
        "l2",
        "batch_size",
        "model",
        "loss",
        "augment",
    }
    assert space["learning_rate"].log
    assert FERClassifier().get_params().keys() >= space.keys()
    assert is_classifier(FERSearchCV(FERClassifier()))
    pipe = make_pipeline(PixelScaler(), FERClassifier())
    search = FERSearchCV(pipe, n_trials=1)
    assert "ferclassifier__dropout" in search._space()


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(n_trials=0), ValueError, "n_trials must be a positive integer"),
        (dict(study_name="s"), ValueError, "needs a storage"),
        (
            dict(param_distributions={"learnig_rate": [1]}),
            ValueError,
            "Did you mean .learning_rate.",
        ),
        (dict(param_distributions={"learning_rate": 3}), TypeError, "distribution"),
        (dict(pruner="mean"), ValueError, "pruner must be 'median'"),
        (
            dict(
                study=optuna.create_study(direction="maximize"),
                cv=StratifiedKFold(2, shuffle=True),
            ),
            ValueError,
            "shuffles without a random_state",
        ),
        (
            dict(storage="postgresql://nobody@127.0.0.1:9/none", study_name="x"),
            ConnectionError,
            "Cannot open the Optuna storage",
        ),
        (
            dict(estimator=FERClassifier(early_stopping=2, **TINY)),
            ValueError,
            "early_stopping would then choose epochs",
        ),
    ],
)
def test_bad_settings_fail_before_any_trial(squares, kwargs, error, match):
    X, y = squares
    params = dict(estimator=FERClassifier(epochs=1, **TINY), n_trials=1)
    params.update(kwargs)
    with pytest.raises(error, match=match):
        FERSearchCV(**params).fit(X, y)


def test_regressors_are_refused(squares):
    from sklearn.linear_model import Ridge

    with pytest.raises(TypeError, match="tunes classifiers"):
        FERSearchCV(Ridge(), {"alpha": [1.0]}).fit(*squares)


@pytest.mark.filterwarnings("ignore:Target and region quantiles")
def test_figures(squares):
    import matplotlib

    matplotlib.use("Agg")
    X, y = squares
    search = FERSearchCV(
        LogisticRegression(max_iter=50),
        {"C": FloatDistribution(1e-3, 1.0, log=True)},
        n_trials=4,
        random_state=0,
    ).fit(X, y)
    assert plot_optimization_history(search).get_title() == "Optimization History Plot"
    ax = plot_param_importances(search)
    assert [label.get_text() for label in ax.get_yticklabels()] == ["C"]
    assert len(search.trials_dataframe()) == 4
    with pytest.raises(TypeError, match="fitted FERSearchCV or an optuna Study"):
        plot_optimization_history(object())


def _worker(storage, study, n_trials, log):
    return subprocess.Popen(
        [
            sys.executable,
            str(WORKER),
            "tune",
            "--synthetic",
            "90",
            "--cv",
            "2",
            "--model",
            "tiny",
            "--epochs",
            "2",
            "--n-trials",
            str(n_trials),
            "--storage",
            storage,
            "--study",
            study,
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _finished(storage, study):
    try:
        loaded = optuna.load_study(study_name=study, storage=storage)
    except KeyError:
        return []
    return loaded.get_trials(
        states=(optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.PRUNED)
    )


@pytest.mark.slow
def test_sqlite_study_resumes_after_the_worker_is_killed(tmp_path):
    storage = f"sqlite:///{tmp_path / 'tune.db'}"
    with open(tmp_path / "log.txt", "wb") as log:
        proc = _worker(storage, "resume", 6, log)
        deadline = time.monotonic() + 240
        while len(_finished(storage, "resume")) < 2:
            assert proc.poll() is None, (tmp_path / "log.txt").read_text()
            assert time.monotonic() < deadline, "the worker finished no trial"
            time.sleep(0.5)
        proc.kill()
        proc.wait()
        before = {t.number: t.value for t in _finished(storage, "resume")}
        assert 2 <= len(before) < 6
        rerun = _worker(storage, "resume", 6, log)
        assert rerun.wait(timeout=300) == 0, (tmp_path / "log.txt").read_text()
    after = {t.number: t.value for t in _finished(storage, "resume")}
    assert len(after) == 6
    assert {n: after[n] for n in before} == before  # nothing finished was lost


def _postgres_bindir():
    found = shutil.which("pg_ctl")
    if found:
        return Path(os.path.realpath(found)).parent
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"))
    return Path(dirs[-1]) if dirs else None


@pytest.fixture(scope="module")
def postgres_url():
    """A real PostgreSQL server on loopback, started for these tests."""
    if os.environ.get("SKFER_TEST_POSTGRES_URL"):
        yield os.environ["SKFER_TEST_POSTGRES_URL"]
        return
    bindir = _postgres_bindir()
    if bindir is None:
        if os.environ.get("SKFER_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL is required (SKFER_REQUIRE_POSTGRES) but absent")
        pytest.skip("PostgreSQL server not installed (apt-get install postgresql)")
    try:
        import psycopg  # noqa: F401  (SQLAlchemy's default PostgreSQL driver)
    except ImportError:
        if os.environ.get("SKFER_REQUIRE_POSTGRES"):
            raise
        pytest.skip("no PostgreSQL driver: pip install 'skfer[tune]'")
    root = Path(tempfile.mkdtemp(prefix="skfer-pg-"))
    root.chmod(0o755)
    data = root / "data"
    # the server refuses to run as root: run it as the postgres user then
    as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    if as_user:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]

    def run(*cmd):
        subprocess.run([*as_user, *cmd], check=True, capture_output=True)

    run(str(bindir / "initdb"), "-D", str(data), "-U", "skfer", "--auth=trust")
    opts = f"-p {port} -k {root} -c listen_addresses=127.0.0.1"
    pg_ctl = str(bindir / "pg_ctl")
    run(pg_ctl, "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start")
    run(
        str(bindir / "createdb"),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        "skfer",
        "optuna",
    )
    try:
        yield f"postgresql://skfer@127.0.0.1:{port}/optuna"
    finally:
        run(pg_ctl, "-D", str(data), "-m", "immediate", "stop")
        shutil.rmtree(root, ignore_errors=True)


@pytest.mark.slow
def test_two_workers_share_a_postgresql_study(postgres_url, tmp_path):
    n_trials = 6
    logs = [open(tmp_path / f"worker{i}.txt", "wb") for i in range(2)]
    try:
        workers = [_worker(postgres_url, "shared", n_trials, log) for log in logs]
        codes = [w.wait(timeout=420) for w in workers]
    finally:
        for log in logs:
            log.close()
    outputs = [(tmp_path / f"worker{i}.txt").read_text() for i in range(2)]
    if codes != [0, 0]:  # each worker's own end, not a truncated repr
        pytest.fail(
            "\n".join(
                f"worker {i} exited {code}:\n{out[-3000:]}"
                for i, (code, out) in enumerate(zip(codes, outputs))
            )
        )
    study = optuna.load_study(study_name="shared", storage=postgres_url)
    trials = study.get_trials()
    finished = _finished(postgres_url, "shared")
    # both workers ran trials, none is lost (left running or failed) or doubled
    assert n_trials <= len(finished) <= n_trials + 1
    assert len(trials) == len(finished)
    assert sorted(t.number for t in trials) == list(range(len(trials)))
    assert len({t._trial_id for t in trials}) == len(trials)
    assert all("best: trial" in out for out in outputs)
    assert len({t.user_attrs["worker"] for t in trials}) == 2


def _start_together(url, n=4):
    """n searches opening ``url`` at one moment; returns (study ids, errors)."""
    import threading

    barrier, errors, studies = threading.Barrier(n), [], []

    def start():
        search = FERSearchCV(LogisticRegression(), {}, storage=url, study_name="shared")
        barrier.wait()
        try:
            studies.append(search._create_study()._study_id)
        except Exception as exc:  # noqa: BLE001 - collected for the assert
            errors.append(repr(exc))

    threads = [threading.Thread(target=start) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return studies, errors


def test_workers_starting_together_on_a_new_sqlite_file(tmp_path):
    """SQLite says "table ... already exists" to all but the first worker."""
    for attempt in range(4):
        studies, errors = _start_together(f"sqlite:///{tmp_path}/new{attempt}.db")
        assert errors == []
        assert len(studies) == 4 and len(set(studies)) == 1


def _drop_database(url, name):
    """Drop a test database, closing what the test left connected to it."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def test_workers_starting_together_on_a_new_database(postgres_url, request):
    """Workers that open a new database at the same moment all get the study.

    Optuna creates its tables when the first worker connects; several doing it
    at once used to make all but one fail ("Cannot open the Optuna storage").
    """
    import uuid

    import psycopg

    for _ in range(4):
        # unique: SKFER_TEST_POSTGRES_URL may point at a server kept between runs
        name = f"skfer_race_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        request.addfinalizer(lambda name=name: _drop_database(postgres_url, name))
        url = postgres_url.rsplit("/", 1)[0] + "/" + name
        studies, errors = _start_together(url)
        assert errors == []
        assert len(studies) == 4 and len(set(studies)) == 1
