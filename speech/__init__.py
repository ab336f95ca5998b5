"""Pure functions for a phone assistant's words: what callers say, what it says back.

* :mod:`speech.spoken_email` - an email address from speech recognition output;
* :mod:`speech.priority` - high / medium / low from a caller's answer;
* :mod:`speech.speakable` - text rewritten for text-to-speech.

No I/O here: everything takes text and returns text.
"""
