"""nginx in front of Rasa replicas: one public port, each call kept on one replica.

The channel's URLs name their call (``?call=<tag>``, channels/urls.py), and
nginx hashes that tag, so a call's turns reach the replica whose tracker cache,
kept dialogue states and lent tracker are warm for it (round-robin made every
turn rebuild them from the database). Requests that name no call (a call's
first webhook, status callbacks, the console's API calls) are spread by their
request id. A replica that is down is skipped (``proxy_next_upstream``) and its
calls go on elsewhere from the shared stores. Retrying a POST on another
replica is safe here: the voice channel answers a repeated Twilio request from
its reply store instead of running the turn again.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

from channels.urls import CALL_TAG


def nginx_binary() -> str:
    if found := shutil.which("nginx") or shutil.which("/usr/sbin/nginx"):
        return found
    raise SystemExit(
        "error: nginx is needed for RASA_REPLICAS > 1; run scripts/install_nginx.sh "
        "(Debian: apt-get install nginx-light)"
    )


def write_config(listen_port: int, replica_ports: Sequence[int], workdir: Path) -> Path:
    """A complete nginx.conf for the balancer in ``workdir`` (no root paths, no daemon)."""
    temp = workdir / "nginx-temp"
    for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (temp / sub).mkdir(parents=True, exist_ok=True)
    upstreams = "\n".join(
        f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" for port in replica_ports
    )
    path = workdir / "nginx.conf"
    path.write_text(f"""worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "nginx-error.log"} warn;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    client_max_body_size 1m;
    # Whole bodies in memory: a worker that runs as another user (nginx started as
    # root) cannot write the temp folder, and a long answer would be refused.
    client_body_buffer_size 1m;
    map $arg_{CALL_TAG} $rasa_route {{
        "" $request_id;
        default $arg_{CALL_TAG};
    }}
    upstream rasa {{
        hash $rasa_route consistent;
{upstreams}
    }}
    server {{
        listen 127.0.0.1:{listen_port};
        location / {{
            proxy_pass http://rasa;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 20s;
            proxy_next_upstream error timeout non_idempotent;
            proxy_next_upstream_tries 2;
        }}
    }}
}}
""")
    return path
