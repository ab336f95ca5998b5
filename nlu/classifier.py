"""The model's own graph component: Rasa's logistic regression with its regularisation set.

Rasa 3.6's ``LogisticRegressionClassifier`` fixes scikit-learn's ``C`` at 1.0.
Over this project's raw count vectors that regularises hard: confidences stay
flat, and right answers fall under the FallbackClassifier's threshold.
``C`` is the only addition; every other key and the model files are Rasa's.

Rasa builds each message's input row by combining its sequence features too
(a deep copy and a sparse stack per featurizer) only to throw them away;
``_create_X`` here stacks the sentence features alone: the same matrix, for
less work on every turn.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import csr_matrix, hstack, vstack


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class RegularisedLogisticRegressionClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` with ``C`` (inverse regularisation) configurable."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": 1.0}

    def __init__(
        self,
        config: dict[str, Any],
        name: str,
        model_storage: ModelStorage,
        resource: Resource,
    ) -> None:
        super().__init__(config, name, model_storage, resource)
        self.clf.set_params(C=float(self.config["C"]))

    def _create_X(self, messages: list[Message]) -> csr_matrix:
        """Rasa's matrix: each message's sparse sentence features, then its dense ones."""
        rows = []
        for message in messages:
            sentence = [
                f
                for f in message.features
                if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
            ]
            sparse = [f.features for f in sentence if f.is_sparse()]
            dense = [f.features for f in sentence if f.is_dense()]
            rows.append(
                hstack(
                    [
                        hstack(sparse) if sparse else csr_matrix([]),
                        csr_matrix(np.concatenate(dense, axis=-1) if dense else []),
                    ]
                )
            )
        return vstack(rows)
