"""The ASGI application uvicorn serves (settings from the environment)."""

from cds_service.api.logs import configure_logging
from cds_service.app import create_app
from cds_service.settings import Settings

_settings = Settings()
configure_logging(_settings.log_level)
app = create_app(_settings)
