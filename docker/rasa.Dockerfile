# Rasa server with the project's voice channel. Build from the repository root:
#   docker build -f docker/rasa.Dockerfile -t helpdesk-voice-rasa .
FROM rasa/rasa:3.6.21-full
USER root
COPY requirements.txt constraints.txt /app/deps/
RUN pip install --no-cache-dir python-dotenv==1.2.4
COPY settings /app/settings
COPY speech /app/speech
COPY channels /app/channels
COPY rasa_bot/config.yml rasa_bot/domain.yml rasa_bot/credentials.yml rasa_bot/endpoints.yml /app/
COPY rasa_bot/data /app/data
ENV PYTHONPATH=/app
RUN rasa train --fixed-model-name current
USER 1001
CMD ["run", "--model", "models/current.tar.gz", "--credentials", "credentials.yml", "--endpoints", "endpoints.yml", "--port", "5005"]
