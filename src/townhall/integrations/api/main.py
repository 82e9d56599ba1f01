"""The REST API's one NinjaAPI: its routers, its authentication and its
error handlers. `townhall.urls` serves it at /api/v1/."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers
from ninja import NinjaAPI, Swagger
from ninja.operation import Operation

from townhall.integrations.api import areas, case_files, case_timeline, cases, contacts, services
from townhall.integrations.api.auth import API_AUTH
from townhall.integrations.api.errors import install_error_handlers

DESCRIPTION = """\
Read and create a council's cases, and read its services, contacts and areas.

Every request sends an API key, as `Authorization: Bearer <key>` or in the
`X-Api-Key` header; the key decides the council and what may be done (scope
`read`, `write` or `admin`). Lists come a page at a time: pass a page's
`next_cursor` as `cursor` to get the next. Errors are `{"errors": [{"code",
"message", "path"}]}`. A POST sent with an `Idempotency-Key` header is done
once, however often it is retried.
"""


class TownhallAPI(NinjaAPI):
    def create_response(
        self, request: HttpRequest, data: Any, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        """Every answer is about one council's cases and residents: never kept
        in a browser's or proxy's cache."""
        response = super().create_response(request, data, *args, **kwargs)
        add_never_cache_headers(response)
        return response

    def get_openapi_operation_id(self, operation: Operation) -> str:
        """`case_create`, not the module path: what generated clients name methods."""
        return operation.view_func.__name__.removesuffix("_view")


api = TownhallAPI(
    title="Townhall REST API",
    version="1",
    description=DESCRIPTION,
    auth=API_AUTH,
    urls_namespace="api-v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
    docs=Swagger(settings={"persistAuthorization": False, "tryItOutEnabled": False}),
)
install_error_handlers(api)
# case_files first: its /cases/with-files would otherwise be taken for a reference.
for module in (services, case_files, cases, case_timeline, contacts, areas):
    api.add_router("", module.router)
