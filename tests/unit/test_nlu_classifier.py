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

from nlu.classifier import RegularisedLogisticRegressionClassifier


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
    for batch in (messages[:1], messages[1:]):
        expected = LogisticRegressionClassifier._create_X(ours, batch).toarray()
        assert (ours._create_X(batch).toarray() == expected).all()
    assert ours._create_X(messages[:1]).toarray().tolist() == [[1, 0, 2, 0, 4, 0.5, 0.25, 0.125]]
