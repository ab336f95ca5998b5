"""The offline virtual device, for ``bst test`` without Bespoken or a phone line.

python -m e2e.device serve [--port 8095] [--audio-engine whisper --voice flite:kal16]
    Serve the device API against a running stack (``make up``): the voice
    webhook on RASA_PORT, the emulators on their ports (the Twilio emulator
    places the calls and signs the webhooks). With ``--audio-engine`` every spoken line goes through
    the audio mode's phone line and recognizer (e2e/audio).

python -m e2e.device run [--audio-engine ...] -- COMMAND [ARGS...]
    Start the whole stack on free ports and the device, run COMMAND with
    BESPOKEN_VIRTUAL_DEVICE_BASE_URL and BESPOKEN_API_BASE_URL pointing at
    the device (and a placeholder token and number), then stop everything
    and exit with COMMAND's status. ``make e2e-bst`` runs ``bst test`` so.
"""

from __future__ import annotations

import argparse
import logging
import shutil
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from e2e.device.app import CallFactory, CallParameters, create_app
from e2e.device.engine import CallEngine
from e2e.device.service import PLACEHOLDER_NUMBER, run_with_device
from e2e.device.switches import Switchboard
from emulators.twilio_call import TwilioCall
from settings import StackSettings, load_environment

DEFAULT_PORT = 8095


def text_factory(voice_url: str, emulators: Mapping[str, str]) -> CallFactory:
    """Calls whose caller is heard verbatim (perfect recognition)."""

    def make(parameters: CallParameters) -> CallEngine:
        called = parameters.phone_number or PLACEHOLDER_NUMBER
        call = TwilioCall(voice_url, emulators["twilio"], called=called)
        return CallEngine(call, Switchboard(emulators))

    return make


def add_audio_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--audio-engine", default="", help="whisper or pocketsphinx (audio mode)")
    parser.add_argument("--voice", default="", help="the caller's voice in audio mode")
    parser.add_argument("--no-hints", action="store_true", help="recognize without the hints")


def audio_options(args: argparse.Namespace) -> list[str]:
    options = ["--audio-engine", args.audio_engine] if args.audio_engine else []
    options += ["--voice", args.voice] if args.voice else []
    return options + (["--no-hints"] if args.no_hints else [])


def serve(argv: Sequence[str]) -> None:
    load_environment()
    stack = StackSettings.from_env()
    parser = argparse.ArgumentParser(prog="python -m e2e.device serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--voice-url", default=f"http://127.0.0.1:{stack.rasa_port}")
    parser.add_argument("--servicenow-url", default=f"http://127.0.0.1:{stack.servicenow_port}")
    parser.add_argument("--twilio-url", default=f"http://127.0.0.1:{stack.twilio_port}")
    parser.add_argument("--reports-dir", type=Path, default=None)
    add_audio_options(parser)
    args = parser.parse_args(argv)
    emulators = {"servicenow": args.servicenow_url, "twilio": args.twilio_url}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.audio_engine:
        from e2e.audio.caller import heard_factory  # the audio parts are optional

        factory = heard_factory(
            args.voice_url, emulators, args.audio_engine, args.voice, not args.no_hints
        )
    else:
        factory = text_factory(args.voice_url, emulators)
    app = create_app(factory, args.reports_dir)
    logging.getLogger("e2e.device").info(
        "offline virtual device on http://%s:%d -> %s", args.host, args.port, args.voice_url
    )
    app.run(host=args.host, port=args.port, access_log=False, motd=False, workers=1)


def run(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m e2e.device run")
    parser.add_argument("--port", type=int, default=0, help="device port (default: a free one)")
    parser.add_argument("--cwd", type=Path, default=None, help="run COMMAND in this folder")
    add_audio_options(parser)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command to run after --")
    if shutil.which(command[0]) is None and not Path(command[0]).exists():
        parser.error(f"{command[0]}: not found")
    return run_with_device(command, args.cwd, audio_options(args), args.port)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["serve"]:
        serve(argv[1:])
        return 0
    if argv[:1] == ["run"]:
        return run(argv[1:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
