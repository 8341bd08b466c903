"""The ASGI application uvicorn serves (settings from the environment)."""

from cds_service.app import create_app

app = create_app()
