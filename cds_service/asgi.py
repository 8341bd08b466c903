"""The ASGI application uvicorn serves (settings from the environment)."""

import gc

# No cyclic collections while the service imports and loads (they cost 150-300 ms of start-up
# walking a heap that only grows); collection is back on as soon as the app is built, and the
# lifespan then freezes the loaded heap (cds_service/app.py, docs/performance.md).
gc.disable()

from cds_service.api.logs import configure_logging  # noqa: E402
from cds_service.app import create_app  # noqa: E402
from cds_service.settings import Settings  # noqa: E402

try:
    _settings = Settings()
    configure_logging(_settings.log_level)  # JSON lines on stdout, in every worker
    app = create_app(_settings)
finally:
    gc.enable()
