# Rasa server with the project's voice channel. Build from the repository root:
#   docker build -f docker/rasa.Dockerfile -t helpdesk-voice-rasa .
# The model is not trained here: the one CI trained (make train ->
# rasa_bot/models/current.tar.gz) is mounted read-only at /app/models.
FROM rasa/rasa:3.6.21-full

USER root
WORKDIR /app
# The base already has Rasa; this adds our runtime pins (twilio, pysnow, dotenv...)
# at exactly the versions the tests ran with.
COPY requirements.txt constraints.txt /tmp/deps/
RUN pip install --no-cache-dir -r /tmp/deps/requirements.txt -c /tmp/deps/constraints.txt \
    && rm -rf /tmp/deps

# Every first-party package the channel imports (tests/unit/test_dockerfiles.py).
COPY settings /app/settings
COPY speech /app/speech
COPY telephony /app/telephony
COPY handoff /app/handoff
COPY channels /app/channels
COPY stores /app/stores
COPY contract.py /app/
COPY nlu /app/nlu
COPY dialogue /app/dialogue
# credentials.yml opens the voice channel only: no unsigned channel in a deployment.
COPY rasa_bot/credentials.yml rasa_bot/endpoints.yml /app/

ENV PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false \
    RASA_INTERFACE=0.0.0.0 \
    PYTHONDONTWRITEBYTECODE=1
RUN mkdir -p /app/models && chown -R 1001:0 /app/models

# The base image's user `rasa` (uid 1001), never root.
USER 1001
EXPOSE 5005
HEALTHCHECK --interval=15s --timeout=5s --start-period=120s --retries=4 \
    CMD ["sh", "-c", "curl -fsS http://127.0.0.1:5005/webhooks/twilio_voice/ || exit 1"]
# The base image's entrypoint is `rasa`.
CMD ["run", "--model", "/app/models/current.tar.gz", \
     "--credentials", "/app/credentials.yml", "--endpoints", "/app/endpoints.yml", \
     "--interface", "0.0.0.0", "--port", "5005"]
