"""The model's own graph component: Rasa's logistic regression with its regularisation set.

Rasa 3.6's ``LogisticRegressionClassifier`` fixes scikit-learn's ``C`` at 1.0.
Over this project's raw count vectors that regularises hard: confidences stay
flat, and right answers fall under the FallbackClassifier's threshold.
``C`` is the only addition; every other key and the model files are Rasa's.

Rasa builds each message's input row by combining its sequence features too
(a deep copy and a sparse stack per featurizer) only to throw them away;
``_create_X`` here takes the sentence features alone: the same matrix, for
less work on every turn. A turn's one message gets a dense row, filled from
its features' nonzero entries: scipy's checks in stacking a few tiny sparse
matrices cost more than the model's arithmetic. Training's batches stay sparse.
That product is small, so the process keeps OpenBLAS to one thread: its other
threads would spin on the second core, which the rest of the stack needs
(measured: 14 ms of CPU a turn for no gain per core).
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
from threadpoolctl import threadpool_limits

DENSE_ROWS_UP_TO = 16  # a turn's message, or a few: a dense block is cheaper to build


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
        threadpool_limits(limits=1, user_api="blas")

    def _create_X(self, messages: list[Message]) -> csr_matrix | np.ndarray:
        """Rasa's matrix: each message's sparse sentence features, then its dense ones."""
        sentences = [_sentence_features(message) for message in messages]
        if len(messages) <= DENSE_ROWS_UP_TO and all(
            f.shape[0] == 1 for sparse, _ in sentences for f in sparse
        ):
            return np.vstack([_dense_row(sparse, dense) for sparse, dense in sentences])
        return vstack(
            [
                hstack(
                    [
                        hstack(sparse) if sparse else csr_matrix([]),
                        csr_matrix(np.concatenate(dense, axis=-1) if dense else []),
                    ]
                )
                for sparse, dense in sentences
            ]
        )


def _sentence_features(message: Message) -> tuple[list[Any], list[np.ndarray]]:
    """The message's sparse and dense sentence features, in Rasa's order."""
    sentence = [
        f for f in message.features if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE
    ]
    return [f.features for f in sentence if f.is_sparse()], [
        f.features for f in sentence if f.is_dense()
    ]


def _dense_row(sparse: list[Any], dense: list[np.ndarray]) -> np.ndarray:
    """One message's row: its sparse features side by side, then its dense ones."""
    row = np.zeros(sum(f.shape[1] for f in sparse))
    offset = 0
    for feature in sparse:
        entries = feature.tocoo(copy=False)
        np.add.at(row, offset + entries.col, entries.data)  # a repeated column sums, as in scipy
        offset += feature.shape[1]
    return np.concatenate([row, *(np.ravel(d) for d in dense)])
