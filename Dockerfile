# Myositis CDS: the CDS Hooks service as a container image.
#   docker build -t myositis-cds:0.1.0 .
#   docker run --rm -p 8000:8000 --env-file .env myositis-cds:0.1.0
# Configuration is environment variables only (CDS_*, see .env.example and docs/deploy.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed, unprivileged user; the code and tables stay owned by root (read-only for it).
RUN groupadd --system --gid 10001 cds \
 && useradd --system --uid 10001 --gid cds --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin cds

WORKDIR /app
COPY pyproject.toml README.md ./
COPY cds_service ./cds_service
# Installed in place (-e): the service finds mappings/, docs/ and fixtures/ beside its package.
RUN pip install -e . && myositis-cds --help > /dev/null
COPY mappings ./mappings
COPY docs ./docs
COPY fixtures ./fixtures
RUN myositis-cds mappings check \
 && mkdir -p /app/var && chown cds:cds /app/var

# Feedback store (SQLite) under /app/var unless CDS_DATABASE_URL points elsewhere.
VOLUME ["/app/var"]
ENV CDS_HOST=0.0.0.0 \
    CDS_PORT=8000
USER cds
EXPOSE 8000

# Liveness with the interpreter the image already has (no curl in a slim image).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CDS_PORT', '8000'), timeout=4)"

CMD ["myositis-cds", "serve"]
