# Production image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 HEARTH_INSTANCE_PATH=/app/instance
COPY pyproject.toml README.md ./
COPY webapp ./webapp
COPY worker ./worker
COPY templates ./templates
RUN pip install --no-cache-dir '.[prod]' && useradd --create-home hearth && mkdir -p /app/instance && chown hearth /app/instance
USER hearth
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "webapp:create_app()"]
