"""How `townhall serve` sizes and configures gunicorn, without starting it
(test_serve.py starts the real thing)."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from townhall.core import gunicorn_conf, serving

LIMIT = 25 * 1024 * 1024


def test_web_workers_default_to_two_per_core(monkeypatch):
    monkeypatch.setattr(serving, "cores", lambda: 3)
    assert serving.default_web_workers() == 6


def test_the_gunicorn_command_carries_every_size_and_timeout():
    options = serving.WebOptions(
        host="::1",
        port=8001,
        workers=5,
        threads=3,
        timeout=20,
        graceful_timeout=25,
        keepalive=4,
        max_requests=1000,
        backlog=64,
    )
    command = options.command()
    pairs = dict(zip(command[3::2], command[4::2], strict=False))
    assert command[-1] == "townhall.wsgi:application"
    assert pairs["--config"] == "python:townhall.core.gunicorn_conf"
    assert pairs["--bind"] == "[::1]:8001"
    assert pairs["--workers"] == "5"
    assert pairs["--threads"] == "3"
    assert pairs["--timeout"] == "20"
    assert pairs["--graceful-timeout"] == "25"
    assert pairs["--max-requests-jitter"] == "100"


def test_gunicorn_believes_no_proxy_header_itself():
    """Townhall's middleware decides, from BEHIND_PROXY and TRUSTED_PROXIES."""
    assert gunicorn_conf.forwarded_allow_ips == ""
    assert gunicorn_conf.secure_scheme_headers == {}
    assert gunicorn_conf.accesslog is None  # no addresses or references in logs


@pytest.mark.parametrize(
    ("headers", "refused"),
    [
        ([("CONTENT-LENGTH", str(LIMIT))], False),
        ([("CONTENT-LENGTH", str(LIMIT + 1))], True),
        ([("TRANSFER-ENCODING", "chunked")], True),
        ([("CONTENT-LENGTH", "nonsense")], False),
        ([("HOST", "example")], False),
    ],
)
def test_the_connection_is_closed_after_a_request_refused_unread(headers, refused):
    assert gunicorn_conf.refused_before_reading(headers, LIMIT) is refused


@pytest.mark.parametrize("option", ["--workers", "--threads", "--task-workers", "--timeout"])
def test_serve_refuses_a_size_below_one(option):
    with pytest.raises(CommandError, match=f"{option} must be at least 1"):
        call_command("serve", option, "0")


@pytest.mark.django_db
def test_a_chunked_request_is_refused_with_411_not_silently_emptied(client):
    response = client.post(
        "/track/",
        data=b"reference=x",
        content_type="text/plain",
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_LENGTH="",  # as a server passes a chunked request on: no length
    )
    assert response.status_code == 411
    assert "did not say how much it was sending" in response.content.decode()


def test_the_task_worker_follows_the_tasks_backend():
    assert serving.worker_command("django_tasks_db.DatabaseBackend")[3] == "db_worker"
    rq = serving.worker_command("django_tasks_rq.RQBackend")
    assert rq[3] == "rqworker" and "--with-scheduler" in rq
