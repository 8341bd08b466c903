"""The ASGI application uvicorn serves (settings from the environment)."""

import gc

# No cyclic collections while the service imports and loads: they cost 150-300 ms of start-up
# walking a heap that only grows. Re-enabling alone would make the first collection walk all
# of it, so the loaded heap is frozen first (moved where no collection looks) when GC tuning is
# on; the lifespan then sets the young-generation threshold (cds_service/app.py).
gc.disable()

from cds_service.api.http_edges import configure_edges  # noqa: E402
from cds_service.api.logs import configure_logging  # noqa: E402
from cds_service.app import create_app  # noqa: E402
from cds_service.settings import Settings  # noqa: E402

try:
    _settings = Settings()
    configure_logging(_settings.log_level)  # JSON lines on stdout, in every worker
    configure_edges(_settings)  # header timeout and limits of this worker's connections
    app = create_app(_settings)
    if app.state.service.settings.gc_tuning:
        gc.freeze()
finally:
    gc.enable()
