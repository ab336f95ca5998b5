"""The local stack: ServiceNow and Twilio emulators, Duckling, actions and Rasa.

``make up`` and the integration tests build the same list of services here;
only ports, the tracker database and the log folder differ.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from console.demo import ensure_operator, ensure_secrets
from settings import PROJECT_ROOT, StackSettings, StoreSettings, load_environment
from settings.console import console_port
from stack.processes import Service, free_port, python_module, terminate_group

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


LOOPBACK = ("127.0.0.1", "localhost", "[::1]")
# Variables that point the stack's processes at each other: they follow the
# ports unless set to a remote (non-loopback) system.
_LOCAL_URLS = {
    "ACTION_ENDPOINT_URL": "http://127.0.0.1:{actions}/webhook",
    "RASA_DUCKLING_HTTP_URL": "http://127.0.0.1:{duckling}",
    "SNOW_HOST": "127.0.0.1:{servicenow}",
    "TWILIO_API_BASE_URL": "http://127.0.0.1:{twilio}",
}


def _is_remote(value: str) -> bool:
    host = value.split("://", 1)[-1].split("/", 1)[0].rsplit(":", 1)[0]
    return bool(host) and host not in LOOPBACK


def stack_environment(ports: Ports, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Variables every process of the stack needs; ports decide every local URL."""
    merged = {k: v for k, v in env.items() if k.isupper()}
    values = {
        "actions": ports.actions,
        "duckling": ports.duckling,
        "servicenow": ports.servicenow,
        "twilio": ports.twilio,
    }
    for name, template in _LOCAL_URLS.items():
        configured = env.get(name) or ""
        if not (configured and _is_remote(configured)) and not (
            name == "SNOW_HOST" and env.get("SNOW_INSTANCE")
        ):
            merged[name] = template.format(**values)
    merged.update(
        {
            "RASA_PORT": str(ports.rasa),
            "ACTION_SERVER_PORT": str(ports.actions),
            "DUCKLING_PORT": str(ports.duckling),
            "SNOW_EMULATOR_PORT": str(ports.servicenow),
            "TWILIO_EMULATOR_PORT": str(ports.twilio),
            "RASA_TELEMETRY_ENABLED": "false",
            "LANG": "C.UTF-8",
            "LC_ALL": "C.UTF-8",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONWARNINGS": "ignore::DeprecationWarning",
            "CONSOLE_PORT": str(ports.console),
        }
    )
    # Every event of every call for the console, in a database file of its own.
    merged.setdefault("RASA_EVENT_BROKER_DB", str(PROJECT_ROOT / "var" / "events.sqlite3"))
    ensure_secrets(merged)  # Rasa's API token and the console's secret, per stack
    ensure_operator(merged)
    return merged


def rasa_service(
    name: str, port: int, model: Path, log_dir: Path, env: Mapping[str, str]
) -> Service:
    """One Rasa process with the voice channel, on ``port``."""
    command = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--endpoints", str(BOT / "endpoints.yml"),
        "--credentials", str(BOT / "credentials.yml"),
        "--interface", "127.0.0.1",
        "--port", str(port),
        # The console activates trained models through Rasa's API: never without the token.
        "--enable-api", f"--auth-token={env['RASA_API_TOKEN']}",  # a token may start with "-"
    ]  # fmt: skip
    health = f"http://127.0.0.1:{port}/webhooks/twilio_voice/"
    return Service(name, command, health, log_dir / f"{name}.log", env)


def build_services(
    ports: Ports,
    log_dir: Path,
    env: Mapping[str, str],
    servicenow_db: Path,
    model: Path,
    replicas: int = 1,
) -> list[Service]:
    """The stack's services, in start order (each depends only on earlier ones).

    With ``replicas`` > 1, Rasa runs that many times on internal ports and
    nginx takes the public Rasa port (stack.balancer).
    """
    local = "http://127.0.0.1"
    Path(env["RASA_EVENT_BROKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
    console = Service(
        "console",
        python_module("console", "--port", str(ports.console)),
        f"{local}:{ports.console}/health",
        log_dir / "console.log",
        env,
    )
    services = [
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
            python_module("actions.server", "--port", str(ports.actions)),
            f"{local}:{ports.actions}/health",
            log_dir / "actions.log",
            env,
        ),
    ]
    if replicas <= 1:
        return [*services, rasa_service("rasa", ports.rasa, model, log_dir, env), console]
    from stack.balancer import nginx_binary, write_config

    replica_ports = [free_port() for _ in range(replicas)]
    for number, port in enumerate(replica_ports, start=1):
        services.append(rasa_service(f"rasa-{number}", port, model, log_dir, env))
    config = write_config(ports.rasa, replica_ports, log_dir / "balancer")
    services.append(
        Service(
            "balancer",
            [nginx_binary(), "-c", str(config), "-p", str(config.parent)],
            f"{local}:{ports.rasa}/webhooks/twilio_voice/",
            log_dir / "balancer.log",
            env,
        )
    )
    replica_urls = ",".join(f"{local}:{port}" for port in replica_ports)
    console.env = {**env, "CONSOLE_RASA_REPLICA_URLS": replica_urls}
    return [*services, console]


def check_stores(settings: StoreSettings) -> None:
    """Fails at once, in one line, when a configured store cannot be reached."""
    from stores.database import StoreUnreachable, check_lock_store, check_tracker_database

    try:
        check_tracker_database(settings)
        check_lock_store(settings)
    except StoreUnreachable as error:
        raise SystemExit(f"error: {error}") from None


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
    busy = [p for p in ports.all() if port_in_use(p)]
    if busy:
        raise SystemExit(f"ports already in use: {busy}; set the *_PORT variables or free them")
    stores = StoreSettings.from_env()
    if stack.rasa_replicas > 1:
        if stores.embedded or not stores.lock_store_url:
            raise SystemExit(
                "error: RASA_REPLICAS > 1 needs shared stores: set TRACKER_STORE_URL "
                "(postgresql://...) and LOCK_STORE_URL (redis://...)"
            )
        subprocess.run([str(PROJECT_ROOT / "scripts" / "install_nginx.sh")], check=True)  # noqa: S603
    check_stores(stores)
    model = ensure_model()
    environment = dict(os.environ)
    password = ensure_operator(environment)  # None when CONSOLE_OPERATORS is configured
    services = build_services(
        ports,
        PROJECT_ROOT / "var" / "logs",
        stack_environment(ports, environment),
        stack.servicenow_db,
        model,
        replicas=stack.rasa_replicas,
    )
    started: list[Service] = []
    try:
        for service in services:
            started.append(service.start())
            _save(started)
            print(f"waiting for {service.name} ({service.health_url}) ...", flush=True)
            service.wait_healthy(timeout)
            print(f"{service.name} is up", flush=True)
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
        {"name": s.name, "pid": s.process.pid, "health": s.health_url, "port": s.port}
        for s in services
        if s.process is not None
    ]
    STATE_FILE.write_text(json.dumps(state, indent=2))


def status() -> int:
    """Prints every process of the stack with its pid, port and health; 1 if any is down."""
    from stack.processes import is_healthy

    if not STATE_FILE.exists():
        print("the stack is not up")
        return 1
    healthy = True
    for entry in json.loads(STATE_FILE.read_text()):
        alive = _alive(int(entry["pid"]))
        ok = alive and is_healthy(entry["health"], timeout=3.0)
        healthy &= ok
        state = "healthy" if ok else ("running, unhealthy" if alive else "not running")
        print(f"{entry['name']:<20} pid {entry['pid']:<8} port {entry.get('port', '?'):<6} {state}")
    return 0 if healthy else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def down() -> None:
    """Stop exactly the processes ``up`` started (by pid), newest first."""
    if not STATE_FILE.exists():
        print("the stack is not up")
        return
    for entry in reversed(json.loads(STATE_FILE.read_text())):
        terminate_group(int(entry["pid"]))
        print(f"stopped {entry['name']}")
    STATE_FILE.unlink()
