"""The intent classifier is Rasa's logistic regression with the regularisation the config sets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import scipy.sparse
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message

from nlu.classifier import DENSE_ROWS_UP_TO, RegularisedLogisticRegressionClassifier


def classifier(tmp_path: Path, **config: object) -> RegularisedLogisticRegressionClassifier:
    return RegularisedLogisticRegressionClassifier.create(
        {**RegularisedLogisticRegressionClassifier.get_default_config(), **config},
        LocalModelStorage(tmp_path),
        Resource("intent"),
        ExecutionContext(GraphSchema({}), node_name="intent"),
    )


def test_c_comes_from_the_config_and_defaults_to_rasas(tmp_path: Path) -> None:
    assert classifier(tmp_path, C=3).clf.C == 3.0
    assert classifier(tmp_path).clf.C == 1.0
    assert classifier(tmp_path).clf.class_weight == "balanced"  # the rest stays Rasa's


def message(text: str, *features: Features) -> Message:
    found = Message(data={TEXT: text})
    for feature in features:
        found.add_features(feature)
    return found


def sparse(kind: str, rows: int, values: list[float], origin: str) -> Features:
    return Features(scipy.sparse.coo_matrix([values] * rows), kind, TEXT, origin)


def test_its_input_rows_are_rasas_built_from_the_sentence_features_alone(tmp_path: Path) -> None:
    messages = [
        message(
            "my vpn drops",
            sparse(FEATURE_TYPE_SEQUENCE, 3, [1, 0, 2], "words"),
            sparse(FEATURE_TYPE_SENTENCE, 1, [1, 0, 2], "words"),
            sparse(FEATURE_TYPE_SEQUENCE, 3, [0, 4], "chars"),
            sparse(FEATURE_TYPE_SENTENCE, 1, [0, 4], "chars"),
            Features(np.array([[0.5, 0.25]]), FEATURE_TYPE_SENTENCE, TEXT, "dense"),
            Features(np.array([[0.125]]), FEATURE_TYPE_SENTENCE, TEXT, "more dense"),
        ),
        message(
            "printer",
            *[sparse(FEATURE_TYPE_SENTENCE, 1, v, o) for v, o in [([3], "a"), ([0, 5], "b")]],
        ),
    ]
    ours = classifier(tmp_path)
    for batch in (messages[:1], messages[1:], messages[1:] * (DENSE_ROWS_UP_TO + 1)):
        expected = LogisticRegressionClassifier._create_X(ours, batch).toarray()
        assert (matrix(ours._create_X(batch)) == expected).all()
    assert matrix(ours._create_X(messages[:1])).tolist() == [[1, 0, 2, 0, 4, 0.5, 0.25, 0.125]]


def matrix(x: object) -> np.ndarray:
    return x.toarray() if scipy.sparse.issparse(x) else np.asarray(x)


def test_a_turn_gets_a_dense_row_and_training_a_sparse_matrix(tmp_path: Path) -> None:
    one = message("vpn", sparse(FEATURE_TYPE_SENTENCE, 1, [0, 2, 0], "words"))
    ours = classifier(tmp_path)
    assert isinstance(ours._create_X([one]), np.ndarray)
    assert scipy.sparse.issparse(ours._create_X([one] * (DENSE_ROWS_UP_TO + 1)))


def test_a_repeated_column_in_a_feature_is_summed_as_scipy_sums_it(tmp_path: Path) -> None:
    repeated = scipy.sparse.coo_matrix(([1.0, 2.0], ([0, 0], [1, 1])), shape=(1, 3))
    one = message("vpn", Features(repeated, FEATURE_TYPE_SENTENCE, TEXT, "words"))
    assert matrix(classifier(tmp_path)._create_X([one])).tolist() == [[0, 3, 0]]


def test_probabilities_are_the_same_from_the_dense_row(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    rows = [
        message(
            f"m{i}",
            Features(
                scipy.sparse.random(1, 40, 0.2, random_state=i), FEATURE_TYPE_SENTENCE, TEXT, "a"
            ),
            Features(rng.random((1, 5)), FEATURE_TYPE_SENTENCE, TEXT, "dense"),
        )
        for i in range(60)
    ]
    ours = classifier(tmp_path)
    ours.clf.fit(LogisticRegressionClassifier._create_X(ours, rows), [i % 4 for i in range(60)])
    for row in rows[:10]:
        sparse_x = LogisticRegressionClassifier._create_X(ours, [row])
        dense_x = ours._create_X([row])
        assert np.allclose(ours.clf.predict_proba(dense_x), ours.clf.predict_proba(sparse_x))
