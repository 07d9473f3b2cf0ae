# syntax=docker/dockerfile:1
# Lading API image: multi-stage, non-root, serving the app factory with uvicorn.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
# Install the dependencies, then drop the installed copy of our own package: the image runs the
# source tree under /srv/lading so that migrations/ and alembic.ini sit beside app/.
RUN pip install . && pip uninstall --yes lading

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/srv/lading \
    LADING_ENVIRONMENT=production
RUN groupadd --system --gid 10001 lading \
    && useradd --system --uid 10001 --gid lading --home-dir /srv/lading lading
COPY --from=build /opt/venv /opt/venv
WORKDIR /srv/lading
COPY --chown=lading:lading alembic.ini ./
COPY --chown=lading:lading migrations ./migrations
COPY --chown=lading:lading app ./app
USER lading
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s --retries=3 \
    CMD python -c "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz').status != 200)"
CMD ["uvicorn", "app.main:serve_app", "--factory", "--host", "0.0.0.0", "--port", "8000", \
     "--workers", "2", "--no-access-log", "--proxy-headers"]
