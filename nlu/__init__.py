"""Rasa NLU components of this project, named in ``rasa_bot/config.yml``, shipped in the Rasa image.

- :mod:`nlu.duckling`: Rasa's Duckling extractor over kept-alive connections.
- :mod:`nlu.classifier`: Rasa's logistic regression with its regularisation configurable.
"""
