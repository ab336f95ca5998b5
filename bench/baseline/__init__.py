"""The stock Rasa 3.6 voice bot the benchmark measures this project against.

It is what a team gets from ``rasa init`` plus Rasa's own Twilio Voice channel,
serving this project's domain and data:

* ``config.yml``: the file ``rasa init`` writes, copied unchanged from Rasa 3.6
  (``rasa/cli/initial_project/config.yml``). It leaves ``pipeline`` and
  ``policies`` empty, so Rasa fills in its defaults
  (``rasa/engine/recipes/config_files/default_config.yml``): WhitespaceTokenizer,
  RegexFeaturizer, LexicalSyntacticFeaturizer, CountVectorsFeaturizer (words and
  char_wb 1-4), DIETClassifier (100 epochs), EntitySynonymMapper,
  ResponseSelector (100 epochs), FallbackClassifier (0.3 / 0.1); then
  MemoizationPolicy, RulePolicy, UnexpecTEDIntentPolicy and TEDPolicy
  (max_history 5, 100 epochs). There is no DucklingEntityExtractor, so the
  stock bot never calls Duckling (it runs beside it all the same). Training
  reads a copy, since Rasa writes the defaults it chose into the file.
* ``credentials.yml``: Rasa's ``twilio_voice`` channel with its defaults; the
  greeting is the user message ``hello`` it sends when the call rings.
* ``endpoints.yml``: the same action server; trackers and locks in memory.

The model is cached by fingerprint like the project's (scripts.train_model).
"""

from __future__ import annotations

from pathlib import Path

BASELINE = Path(__file__).resolve().parent
CONFIG = BASELINE / "config.yml"
