"""The offline virtual device, for ``bst test`` without Bespoken or a phone line.

python -m e2e.device serve [--port 8095] [--audio-engine whisper --voice flite:kal16]
    Serve the device API against a running stack (``make up``): the voice
    webhook on RASA_PORT, the emulators on their ports (the Twilio emulator
    places the calls and signs the webhooks). With ``--audio-engine`` every
    spoken line goes through the audio mode's phone line and recognizer (e2e/audio).

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
from collections.abc import Sequence
from pathlib import Path

from e2e.device.app import CallParameters, create_app
from e2e.device.engine import CallEngine
from e2e.device.service import PLACEHOLDER_NUMBER, run_with_device
from e2e.device.switches import Switchboard
from emulators.twilio_call import TwilioCall
from settings import StackSettings, load_environment


def arguments(argv: Sequence[str]) -> argparse.Namespace:
    load_environment()
    stack = StackSettings.from_env()
    parser = argparse.ArgumentParser(
        prog="python -m e2e.device",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    audio = argparse.ArgumentParser(add_help=False)
    engines = ("whisper", "pocketsphinx")
    audio.add_argument("--audio-engine", default="", choices=engines, help="audio mode's ear")
    audio.add_argument("--voice", default="", help="the caller's voice in audio mode")
    audio.add_argument("--no-hints", action="store_true", help="recognize without the hints")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", parents=[audio])
    serve.add_argument("--port", type=int, default=8095)
    serve.add_argument("--voice-url", default=f"http://127.0.0.1:{stack.rasa_port}")
    serve.add_argument("--servicenow-url", default=f"http://127.0.0.1:{stack.servicenow_port}")
    serve.add_argument("--twilio-url", default=f"http://127.0.0.1:{stack.twilio_port}")
    serve.add_argument("--reports-dir", type=Path, default=None)
    run = commands.add_parser("run", parents=[audio])
    run.add_argument("--cwd", type=Path, default=None, help="run COMMAND in this folder")
    run.add_argument("rest", nargs=argparse.REMAINDER)
    return parser.parse_args(argv)


def serve(args: argparse.Namespace) -> None:
    emulators = {"servicenow": args.servicenow_url, "twilio": args.twilio_url}
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.audio_engine:
        from e2e.audio.caller import heard_factory  # the audio parts are optional

        hints = not args.no_hints
        factory = heard_factory(args.voice_url, emulators, args.audio_engine, args.voice, hints)
    else:

        def factory(parameters: CallParameters) -> CallEngine:  # the caller heard verbatim
            called = parameters.phone_number or PLACEHOLDER_NUMBER
            call = TwilioCall(args.voice_url, args.twilio_url, called=called)
            return CallEngine(call, Switchboard(emulators))

    logging.getLogger("e2e.device").info(
        "offline virtual device on http://127.0.0.1:%d -> %s", args.port, args.voice_url
    )
    app = create_app(factory, args.reports_dir)
    app.run(host="127.0.0.1", port=args.port, access_log=False, motd=False, workers=1)


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(list(sys.argv[1:] if argv is None else argv))
    if args.command == "serve":
        serve(args)
        return 0
    command = args.rest[1:] if args.rest[:1] == ["--"] else args.rest
    if not command or (shutil.which(command[0]) is None and not Path(command[0]).exists()):
        sys.exit(f"python -m e2e.device run: give the command to run after -- ({command})")
    audio = (
        ["--audio-engine", args.audio_engine, "--voice", args.voice] if args.audio_engine else []
    )
    audio += ["--no-hints"] if args.no_hints else []
    return run_with_device(command, args.cwd, audio)


if __name__ == "__main__":
    sys.exit(main())
