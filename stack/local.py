"""The local stack: ServiceNow and Twilio emulators, Duckling, actions and Rasa.

``make up`` and the integration tests build the same list of services here;
only ports, the tracker database and the log folder differ.
"""

from __future__ import annotations

import dataclasses
import json
import os
import socket
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from console.demo import ensure_operator, ensure_secrets
from settings import PROJECT_ROOT, StackSettings, StoreSettings, load_environment
from settings.console import console_port
from stack.processes import Service, free_port, is_healthy, python_module, terminate_group

BOT = PROJECT_ROOT / "rasa_bot"
STATE_FILE = PROJECT_ROOT / "var" / "stack.json"
HEALTH = "/_emulator/health"  # the emulators'


@dataclass(frozen=True)
class Ports:
    rasa: int
    actions: int
    duckling: int
    servicenow: int
    twilio: int
    console: int = 8070

    @classmethod
    def free(cls) -> Ports:
        """Ports nothing listens on right now (the isolated stacks')."""
        return cls(*(free_port() for _ in dataclasses.fields(cls)))


def _is_remote(value: str) -> bool:
    """A URL (or ``host:port``) of a system that is not on this machine."""
    host = urlsplit(value if "://" in value else f"//{value}").hostname
    return bool(host) and host not in ("127.0.0.1", "localhost", "::1")


def stack_environment(ports: Ports, env: Mapping[str, str] = os.environ) -> dict[str, str]:
    """Variables every process of the stack needs; ports decide every local URL."""
    # The variables that point the stack's processes at each other follow the ports
    # unless set to a remote system; a ServiceNow instance is never replaced by the emulator.
    local = {
        "ACTION_ENDPOINT_URL": f"http://127.0.0.1:{ports.actions}/webhook",
        "RASA_DUCKLING_HTTP_URL": f"http://127.0.0.1:{ports.duckling}",
        "TWILIO_API_BASE_URL": f"http://127.0.0.1:{ports.twilio}",
        **({} if env.get("SNOW_INSTANCE") else {"SNOW_HOST": f"127.0.0.1:{ports.servicenow}"}),
    }
    merged = {k: v for k, v in env.items() if k.isupper()}
    merged.update({k: v for k, v in local.items() if not _is_remote(env.get(k) or "")})
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
    name: str, port: int, model: Path, log_dir: Path, env: Mapping[str, str], bot: Path = BOT
) -> Service:
    """One Rasa process on ``port``, with the channels and endpoints of the ``bot`` folder."""
    command = [
        sys.executable, "-m", "rasa", "run",
        "--model", str(model),
        "--endpoints", str(bot / "endpoints.yml"),
        "--credentials", str(bot / "credentials.yml"),
        "--interface", "127.0.0.1",
        "--port", str(port),
        # The console activates trained models through Rasa's API: never without the token.
        # One argument: a token may begin with "-", which argparse would take for an option.
        "--enable-api", f"--auth-token={env['RASA_API_TOKEN']}",
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
    bot: Path = BOT,
) -> list[Service]:
    """The stack's services, in start order (each depends only on earlier ones).

    With ``replicas`` > 1, Rasa runs that many times on internal ports and
    nginx takes the public Rasa port (stack.balancer). ``bot`` is the folder of
    Rasa's ``endpoints.yml`` and ``credentials.yml`` (the bench's stock bot has its own).
    """
    local = "http://127.0.0.1"
    Path(env["RASA_EVENT_BROKER_DB"]).parent.mkdir(parents=True, exist_ok=True)
    # Only the Rasa process (the hand-off) uses Twilio's REST API: the others run without
    # the account (set empty, so .env cannot fill it), so a change that needs it elsewhere
    # fails in every stack test.
    no_account = {**env, "TWILIO_ACCOUNT_SID": "", "TWILIO_AUTH_TOKEN": ""}

    def server(name: str, module: str, port: int, health: str, *args: str, own_env=env) -> Service:
        """``python -m module --port P ...``, healthy once ``health`` on that port answers."""
        command = python_module(module, "--port", str(port), *args)
        return Service(name, command, f"{local}:{port}{health}", log_dir / f"{name}.log", own_env)

    db = str(servicenow_db)
    console = server("console", "console", ports.console, "/health", own_env=no_account)
    services = [
        server("servicenow-emulator", "emulators.servicenow", ports.servicenow, HEALTH, "--db", db),
        server("twilio-emulator", "emulators.twilio_api", ports.twilio, HEALTH),
        server("duckling", "duckling_server", ports.duckling, "/"),
        server("action-server", "actions.server", ports.actions, "/health", own_env=no_account),
    ]
    if replicas <= 1:
        return [*services, rasa_service("rasa", ports.rasa, model, log_dir, env, bot), console]
    from stack.balancer import nginx_binary, write_config

    replica_ports = [free_port() for _ in range(replicas)]
    for number, port in enumerate(replica_ports, start=1):
        services.append(rasa_service(f"rasa-{number}", port, model, log_dir, env, bot))
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
    console.env = {**console.env, "CONSOLE_RASA_REPLICA_URLS": replica_urls}
    return [*services, console]


def port_in_use(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def up(timeout: float = 300.0) -> list[Service]:
    """Start the stack in the background and return once every part is healthy."""
    from scripts.train_model import ensure_model
    from stores.database import StoreUnreachable, check_lock_store, check_tracker_database

    load_environment()
    stack = StackSettings.from_env()
    ports = Ports(
        stack.rasa_port,
        stack.action_port,
        stack.duckling_port,
        stack.servicenow_port,
        stack.twilio_port,
        console_port(),
    )
    if STATE_FILE.exists():
        raise SystemExit("the stack is already up (var/stack.json exists): run `make down` first")
    if busy := [p for p in dataclasses.astuple(ports) if port_in_use(p)]:
        raise SystemExit(f"ports already in use: {busy}; set the *_PORT variables or free them")
    stores = StoreSettings.from_env()
    if stack.rasa_replicas > 1:
        if stores.embedded or not stores.lock_store_url:
            raise SystemExit(
                "error: RASA_REPLICAS > 1 needs shared stores: set TRACKER_STORE_URL "
                "(postgresql://...) and LOCK_STORE_URL (redis://...)"
            )
        subprocess.run([str(PROJECT_ROOT / "scripts" / "install_nginx.sh")], check=True)  # noqa: S603
    try:  # a configured store that cannot be reached stops us at once, in one line
        check_tracker_database(stores)
        check_lock_store(stores)
    except StoreUnreachable as error:
        raise SystemExit(f"error: {error}") from None
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
            # What status and down need, saved as each process starts
            state = [
                {"name": s.name, "pid": s.process.pid, "health": s.health_url} for s in started
            ]
            STATE_FILE.write_text(json.dumps(state, indent=2))
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


def status() -> int:
    """Prints every process of the stack with its pid, port and health; 1 if any is down."""
    if not STATE_FILE.exists():
        print("the stack is not up")
        return 1
    healthy = True
    for entry in json.loads(STATE_FILE.read_text()):
        pid, port = entry["pid"], urlsplit(entry["health"]).port
        alive = Path("/proc", str(pid)).exists()
        ok = alive and is_healthy(entry["health"], timeout=3.0)
        healthy &= ok
        state = "healthy" if ok else ("running, unhealthy" if alive else "not running")
        print(f"{entry['name']:<20} pid {pid:<8} port {port:<6} {state}")
    return 0 if healthy else 1


def down() -> None:
    """Stop exactly the processes ``up`` started (by pid), newest first."""
    if not STATE_FILE.exists():
        print("the stack is not up")
        return
    for entry in reversed(json.loads(STATE_FILE.read_text())):
        terminate_group(int(entry["pid"]))
        print(f"stopped {entry['name']}")
    STATE_FILE.unlink()
