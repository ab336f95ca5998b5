"""The intent classifier is Rasa's logistic regression with the regularisation the config sets."""

from __future__ import annotations

from pathlib import Path

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource

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
