"""One TLS context per process for the outgoing clients the service makes (a ``FhirReader``
without the shared pool, the JWKS fetcher).

Building a verifying context loads certifi's CA bundle into OpenSSL: about 0.8 MB of C memory
and a few milliseconds of CPU. An ``httpx`` client given no context builds its own; when each
CDS call made a client, the contexts sat in reference cycles that only the (latency-tuned)
garbage collector frees, and RSS grew by hundreds of MB (docs/performance.md, "Memory on the
fetch path"). A context is safe to share between threads and event loops; the CA bundle is the
one httpx would load (environment variables such as ``SSL_CERT_FILE`` are not read, as before).
"""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def shared_tls_context() -> ssl.SSLContext:
    return httpx.create_ssl_context(verify=True, trust_env=False)
