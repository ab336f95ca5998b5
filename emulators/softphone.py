"""A phone call in the terminal: you are the caller, the assistant answers.

Type what the caller says; ``#1`` presses 1, an empty line is silence, and
``/hangup`` (or Ctrl-D) hangs up. The assistant's words are printed as spoken.
When the assistant transfers you, the agent's phone rings here too (on the
Twilio emulator's phone network): you hear the whisper the agent hears and
decide for the agent whether to accept.
"""

from __future__ import annotations

import time

from emulators.admin_client import TwilioAdmin
from emulators.twilio_call import Turn, TwilioCall
from settings import StackSettings, load_environment

AGENT_CHOICES = {"a": "accept", "d": "decline", "b": "busy", "n": "no-answer"}


def ask(prompt: str) -> str:
    try:
        return input(prompt).strip()
    except (EOFError, KeyboardInterrupt):
        return "/hangup"


def on_hold(call: TwilioCall, agents: TwilioAdmin) -> Turn:
    """Plays the transfer: the agent's phone rings, the person decides for the agent."""
    print("  (on hold, music plays)")
    while True:
        ringing = agents.ringing()
        if ringing is None:  # agents answer by themselves (not "manual")
            return call.wait_on_hold(timeout=60)
        print(f"  [agent phone {ringing['to']} rings]")
        choice = ask("  agent: (a)ccept, (d)ecline, (b)usy or (n)o answer? ").lower()[:1]
        agents.answer(ringing["sid"], AGENT_CHOICES.get(choice, "decline"))
        time.sleep(0.5)
        for line in agents.call(ringing["sid"]).get("heard", []):
            print(f"  [agent hears] {line}")
        outcome = call.wait_on_hold(timeout=60)
        if outcome.agent_joined or outcome.says or outcome.hung_up:
            return outcome


def main() -> None:
    load_environment()
    stack = StackSettings.from_env()
    twilio_api = f"http://127.0.0.1:{stack.twilio_port}"
    call = TwilioCall(f"http://127.0.0.1:{stack.rasa_port}", twilio_api)
    agents = TwilioAdmin(twilio_api)
    print("Calling the help desk... (#1 presses 1, empty line = silence, /hangup ends)\n")
    turn = call.dial()
    while True:
        for line in turn.says:
            print(f"  assistant: {line}")
        if turn.hung_up:
            print("  (the assistant hung up)")
        if turn.conference and not turn.agent_joined:
            turn = on_hold(call, agents)
            continue
        if turn.agent_joined:
            print("  (you are talking with the agent now; /hangup to end the call)")
        if call.hung_up:
            break
        line = ask("  you: ")
        if line == "/hangup":
            call.hang_up()
            print("  (you hung up)")
            break
        if turn.agent_joined:
            continue  # speech goes to the agent, not to the assistant
        if line.startswith("#") and len(line) > 1:
            turn = call.press(line[1:])
        elif not line:
            turn = call.silence()
        else:
            turn = call.say(line)


if __name__ == "__main__":
    main()
