"""The routes' shared dependencies, as ``Annotated`` aliases.

A route names what it needs in its signature (``service: Service``, ``caller: Caller``) and
FastAPI supplies it: the ``CdsService`` built once by ``create_app``, and the verified caller
of the request (authentication runs before the route's body; 401 without detail on failure).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from cds_service.api.auth import authenticate
from cds_service.cdshooks.auth import VerifiedCaller
from cds_service.service import CdsService


async def cds_service(request: Request) -> CdsService:
    service: CdsService = request.app.state.service
    return service


Service = Annotated[CdsService, Depends(cds_service)]
Caller = Annotated[VerifiedCaller | None, Depends(authenticate)]
