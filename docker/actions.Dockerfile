# Action server. Build from the repository root:
#   docker build -f docker/actions.Dockerfile -t helpdesk-voice-actions .
FROM rasa/rasa-sdk:3.6.2
USER root
RUN pip install --no-cache-dir pysnow==0.7.17 python-dotenv==1.2.4
COPY settings /app/settings
COPY speech /app/speech
COPY actions /app/actions
ENV PYTHONPATH=/app
USER 1001
CMD ["start", "--actions", "actions", "--port", "5055"]
