"""A local Open311 (GeoReport v2) server, and the fly-tipping service sending
its cases to it, to a team mailbox and to a webhook."""

from __future__ import annotations

import json
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from townhall.testing.http_receiver import Behaviour, Receiver


class Open311Server(Receiver):
    """Takes POST /requests.json the way a GeoReport v2 server does: the
    api_key must match; a service_request_id per request it takes. `failures`
    are answered (with their status) before any request is taken.

    GET /servicerequestupdates.json lists the `updates` (mySociety's
    extension) whose updated_datetime is within start_date and end_date, or
    answers `garbage` instead when it is set."""

    api_key = "secret-key"

    def __init__(self) -> None:
        super().__init__()
        self.failures: list[int] = []
        self.updates: list[dict[str, str]] = []
        self.garbage: bytes = b""
        self.respond = self.answer

    def answer(self, request):
        if self.failures:
            status = self.failures.pop(0)
            return Behaviour(status=status, body=b'[{"code":500,"description":"Down"}]')
        if request.method == "GET":
            return self.updates_list(request)
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        if request.path != "/open311/v2/requests.json":
            return Behaviour(status=404, body=b'[{"code":404,"description":"Not found"}]')
        if form.get("api_key") != self.api_key:
            return Behaviour(status=403, body=b'[{"code":403,"description":"Bad key"}]')
        if not form.get("service_code"):
            return Behaviour(status=400, body=b'[{"code":400,"description":"service_code"}]')
        number = len(self.accepted) + 1000
        return Behaviour(
            status=201, body=json.dumps([{"service_request_id": f"SR{number}"}]).encode()
        )

    def updates_list(self, request):
        url = urlsplit(request.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path != "/open311/v2/servicerequestupdates.json":
            return Behaviour(status=404, body=b'[{"code":404,"description":"Not found"}]')
        if query.get("api_key") != self.api_key:
            return Behaviour(status=403, body=b'[{"code":403,"description":"Bad key"}]')
        if self.garbage:
            return Behaviour(status=200, body=self.garbage)
        start = datetime.fromisoformat(query["start_date"])
        end = datetime.fromisoformat(query["end_date"])
        listed = [u for u in self.updates if self._within(u, start, end)]
        return Behaviour(status=200, body=json.dumps(listed).encode())

    @staticmethod
    def _within(update, start, end):
        try:
            return start <= datetime.fromisoformat(update["updated_datetime"]) <= end
        except ValueError:
            return True  # a system with a bad time on an update lists it anyway

    def polls(self) -> list[dict[str, str]]:
        """The query of each updates GET it answered."""
        return [
            {k: v[0] for k, v in parse_qs(urlsplit(r.path).query).items()}
            for r in self.accepted
            if r.method == "GET"
        ]

    def forms(self) -> list[dict[str, str]]:
        return [
            {k: v[0] for k, v in parse_qs(r.body.decode()).items()}
            for r in self.accepted
            if r.method == "POST"
        ]


@pytest.fixture
def open311():
    server = Open311Server().start()
    yield server
    server.stop()


@pytest.fixture
def receiver():
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.WEBHOOKS_READ_TIMEOUT = 1
    settings.WEBHOOKS_CONNECT_TIMEOUT = 1
    settings.CONNECTOR_SECRETS = {"highways-open311": "secret-key", "crm": "whsec_crm"}


def import_with_send_to(organisation, send_to):
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file

    definition = dict(load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml"))
    definition["send_to"] = send_to
    return service_import(organisation=organisation, definition=definition).service
