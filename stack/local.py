"""The local stack: ServiceNow and Twilio emulators, Duckling, actions and Rasa.

``make up`` and the integration tests build the same list of services here;
only ports, the tracker database and the log folder differ.
"""

from __future__ import annotations

import json
import os
import socket
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from console.demo import ensure_operator, ensure_secrets
from settings import PROJECT_ROOT, StackSettings, load_environment
from settings.console import console_port
from stack.processes import Service, python_module, terminate_group

BOT = PROJECT_ROOT / "rasa_bot"
STATE_FILE = PROJECT_ROOT / "var" / "stack.json"


@dataclass(frozen=True)
class Ports:
    rasa: int
    actions: int
    duckling: int
    servicenow: int
    twilio: int
    console: int = 8070

    @classmethod
    def from_settings(cls, stack: StackSettings) -> Ports:
        return cls(
            stack.rasa_port,
            stack.action_port,
            stack.duckling_port,
            stack.servicenow_port,
            stack.twilio_port,
            console_port(),
        )

    def all(self) -> tuple[int, ...]:
        return (self.rasa, self.actions, self.duckling, self.servicenow, self.twilio, self.console)


def stack_environment(ports: Ports, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Variables every process of the stack needs; the caller's environment wins."""
    defaults = {
        "RASA_PORT": str(ports.rasa),
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        "RASA_DUCKLING_HTTP_URL": f"http://127.0.0.1:{ports.duckling}",
        "SNOW_HOST": f"127.0.0.1:{ports.servicenow}",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{ports.twilio}",
        "TRACKER_DB_HOST": "127.0.0.1",
        "TRACKER_DB_PORT": "5432",
        "TRACKER_DB_NAME": "helpdesk_voice",
        "TRACKER_DB_LOGIN_DB": "postgres",
        "TRACKER_DB_USER": "postgres",
        "TRACKER_DB_PASSWORD": "",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_DB": "0",
        "RASA_TELEMETRY_ENABLED": "false",
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "CONSOLE_PORT": str(ports.console),
        "RASA_EVENT_BROKER_DB": str(PROJECT_ROOT / "var" / "events.sqlite3"),
    }
    merged = {**defaults, **{k: v for k, v in env.items() if k in defaults or k.isupper()}}
    # These point the processes at each other, so they follow the ports.
    merged["ACTION_ENDPOINT_URL"] = (
        env.get("ACTION_ENDPOINT_URL") or defaults["ACTION_ENDPOINT_URL"]
    )
    merged["RASA_EVENT_BROKER_DB"] = (
        merged["RASA_EVENT_BROKER_DB"] or defaults["RASA_EVENT_BROKER_DB"]
    )
    ensure_secrets(merged)  # Rasa's API token and the console's secret, per stack
    ensure_operator(merged)
    return merged


def build_services(
    ports: Ports,
    log_dir: Path,
    env: Mapping[str, str],
    servicenow_db: Path,
    model: Path,
) -> list[Service]:
    """The stack's services, in start order (each depends only on earlier ones)."""
    local = "http://127.0.0.1"
    Path(env["RASA_EVENT_BROKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
    return [
        Service(
            "servicenow-emulator",
            python_module(
                "emulators.servicenow", "--port", str(ports.servicenow), "--db", str(servicenow_db)
            ),
            f"{local}:{ports.servicenow}/_emulator/health",
            log_dir / "servicenow.log",
            env,
        ),
        Service(
            "twilio-emulator",
            python_module("emulators.twilio_api", "--port", str(ports.twilio)),
            f"{local}:{ports.twilio}/_emulator/health",
            log_dir / "twilio.log",
            env,
        ),
        Service(
            "duckling",
            python_module("duckling_server", "--port", str(ports.duckling)),
            f"{local}:{ports.duckling}/",
            log_dir / "duckling.log",
            env,
        ),
        Service(
            "action-server",
            python_module("rasa_sdk", "--actions", "actions", "--port", str(ports.actions)),
            f"{local}:{ports.actions}/health",
            log_dir / "actions.log",
            env,
        ),
        Service(
            "rasa",
            [
                sys.executable,
                "-m",
                "rasa",
                "run",
                "--model",
                str(model),
                "--endpoints",
                str(BOT / "endpoints.yml"),
                "--credentials",
                str(BOT / "credentials.yml"),
                "--interface",
                "127.0.0.1",
                "--port",
                str(ports.rasa),
                "--enable-api",
                "--auth-token",
                env["RASA_API_TOKEN"],
            ],
            f"{local}:{ports.rasa}/webhooks/twilio_voice/",
            log_dir / "rasa.log",
            env,
        ),
        Service(
            "console",
            python_module("console", "--port", str(ports.console)),
            f"{local}:{ports.console}/health",
            log_dir / "console.log",
            env,
        ),
    ]


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def up(timeout: float = 300.0) -> list[Service]:
    """Start the stack in the background and return once every part is healthy."""
    from scripts.train_model import ensure_model

    load_environment()
    stack = StackSettings.from_env()
    ports = Ports.from_settings(stack)
    if STATE_FILE.exists():
        raise SystemExit("the stack is already up (var/stack.json exists): run `make down` first")
    busy = [
        p
        for p in (ports.rasa, ports.actions, ports.duckling, ports.servicenow, ports.console)
        if port_in_use(p)
    ]
    if busy:
        raise SystemExit(f"ports already in use: {busy}; set the *_PORT variables or free them")
    model = ensure_model()
    environment = dict(os.environ)
    password = ensure_operator(environment)  # None when CONSOLE_OPERATORS is configured
    env = stack_environment(ports, environment)
    services = build_services(ports, PROJECT_ROOT / "var" / "logs", env, stack.servicenow_db, model)
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
            _save(started)
            service.wait_healthy(timeout)
            print(f"{service.name} is up ({service.health_url})")
    except BaseException:
        down()
        raise
    print(f"\nconsole: http://127.0.0.1:{ports.console}/")
    if password:
        print(f"  sign in as demo, password {password} (made for this stack only)")
    return started


def _save(services: list[Service]) -> None:
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    state = [
        {"name": s.name, "pid": s.process.pid, "health": s.health_url}
        for s in services
        if s.process is not None
    ]
    STATE_FILE.write_text(json.dumps(state, indent=2))


def down() -> None:
    """Stop exactly the processes ``up`` started (by pid), newest first."""
    if not STATE_FILE.exists():
        print("the stack is not up")
        return
    for entry in reversed(json.loads(STATE_FILE.read_text())):
        terminate_group(int(entry["pid"]))
        print(f"stopped {entry['name']}")
    STATE_FILE.unlink()
