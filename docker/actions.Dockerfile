# Action server. Build from the repository root:
#   docker build -f docker/actions.Dockerfile -t helpdesk-voice-actions .
# Only rasa-sdk and the clients' libraries, not Rasa itself: see
# docker/actions-requirements.txt.
FROM python:3.10-slim-bookworm

RUN useradd --create-home --home-dir /app --uid 1001 --gid 0 --shell /usr/sbin/nologin actions
WORKDIR /app

COPY requirements.txt constraints.txt docker/actions-requirements.txt /tmp/deps/
RUN pip install --no-cache-dir -r /tmp/deps/actions-requirements.txt \
        -c /tmp/deps/requirements.txt -c /tmp/deps/constraints.txt \
    && rm -rf /tmp/deps

# Every first-party package the actions import (tests/unit/test_dockerfiles.py).
COPY settings /app/settings
COPY speech /app/speech
COPY telephony /app/telephony
COPY servicenow /app/servicenow
COPY handoff /app/handoff
COPY actions /app/actions
COPY stores /app/stores
COPY contract.py /app/

ENV PYTHONPATH=/app \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

USER 1001
EXPOSE 5055
# python:slim has no curl; urlopen raises (exit 1) on anything but a 2xx.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=4 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5055/health', timeout=4)"]
# rasa-sdk's app plus the ticket outbox worker; all interfaces, inside the container.
CMD ["python", "-m", "actions.server", "--host", "0.0.0.0", "--port", "5055"]
