"""A phone call in the terminal: you are the caller, the assistant answers.

Type what the caller says; ``#1`` presses 1, an empty line is silence, and
``/hangup`` (or Ctrl-D) hangs up. The assistant's words are printed as spoken.
"""

from __future__ import annotations

import os

from emulators.twilio_call import Turn, TwilioCall
from settings import StackSettings, load_environment


def show(turn: Turn) -> None:
    for line in turn.says:
        print(f"  assistant: {line}")
    if turn.hung_up:
        print("  (the assistant hung up)")


def main() -> None:
    load_environment()
    stack = StackSettings.from_env()
    call = TwilioCall(
        f"http://127.0.0.1:{stack.rasa_port}", os.environ.get("TWILIO_AUTH_TOKEN", "")
    )
    print("Calling the help desk... (#1 presses 1, empty line = silence, /hangup ends)\n")
    show(call.dial())
    while not call.hung_up:
        try:
            line = input("  you: ").strip()
        except (EOFError, KeyboardInterrupt):
            line = "/hangup"
        if line == "/hangup":
            call.hang_up()
            print("  (you hung up)")
            break
        if line.startswith("#") and len(line) > 1:
            show(call.press(line[1:]))
        elif not line:
            show(call.silence())
        else:
            show(call.say(line))


if __name__ == "__main__":
    main()
