# Production image: web (gunicorn), worker and beat all run from it.
FROM python:3.11-slim
WORKDIR /app
ENV PYTHONUNBUFFERED=1 HEARTH_INSTANCE_PATH=/app/instance
COPY pyproject.toml README.md gunicorn.conf.py ./
COPY webapp ./webapp
COPY worker ./worker
COPY templates ./templates
RUN pip install --no-cache-dir '.[prod]' && useradd --create-home hearth && mkdir -p /app/instance && chown hearth /app/instance
USER hearth
EXPOSE 8000
# gthread workers that shed excess load with 503 (see gunicorn.conf.py)
CMD ["gunicorn", "--config", "gunicorn.conf.py", "webapp:create_app()"]
