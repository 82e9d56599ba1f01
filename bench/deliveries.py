"""Benchmark the outbox's webhook deliveries beside a plain HTTP client loop
to the same local receiver, killing and restarting a worker mid-run.

    .venv/bin/python bench/deliveries.py [--messages 2000] [--workers 2]

A receiver runs in its own process and logs the event id of every request it
takes. First a plain loop (one `requests` session, one thread) POSTs the same
body `--messages` times: the baseline rate. Then `--messages` webhook rows are
written to the outbox, spread over `--cases` cases (each case's rows must
arrive in order), the batch sender is woken as a case event's subscribers
wake it, and `--workers` real `townhall db_worker` processes deliver them.
When 40% are sent, one worker is killed with SIGKILL and another started.
On PostgreSQL the workers themselves find the rows the dead one left
"sending" (their claim locks went with its connection) and send them again,
marked interrupted, as production does. On SQLite, which has no such signal,
once no progress is made for a while the rows its death left behind are
queued again as `townhall outbox_retry` does after its staleness window
(shortened here, which is the only shortcut; that wait is timed). The run
ends when every row is sent, and then checks the receiver's log: every event
received, none twice, each case's in order. Nothing passes or fails on time.

The database is a temporary SQLite file, or the one BENCH_DATABASE_URL names
(its name must contain "bench": it is emptied first).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))

from bench.run import cpu_count, cpu_model, database_url  # noqa: E402

STALL_SECONDS = 2.0  # no progress for this long: look for work the killed worker lost


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=2000, help="deliveries (default 2,000)")
    parser.add_argument("--cases", type=int, default=100, help="cases they are about")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--no-kill", action="store_true", help="do not kill a worker")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.messages < 10 or args.cases < 1 or args.workers < 1:
        parser.error("--messages must be at least 10, --cases and --workers at least 1")
    return args


def configure(workdir: Path) -> dict[str, str]:
    environment = {
        **os.environ,
        "TOWNHALL_ENV": "development",
        "DJANGO_SETTINGS_MODULE": "townhall.settings",
        "DEBUG": "false",
        "DATABASE_URL": database_url(workdir),
        "TOWNHALL_VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "true",
        "LOG_LEVEL": "ERROR",
    }
    os.environ.update(environment)
    return environment


def start_receiver(workdir: Path) -> tuple[subprocess.Popen[bytes], str, Path]:
    port_file, log = workdir / "receiver.port", workdir / "receiver.log"
    process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
        [
            sys.executable,
            "-m",
            "townhall.testing.http_receiver",
            "--port-file",
            str(port_file),
            "--log",
            str(log),
        ]
    )
    for _ in range(200):
        if port_file.exists() and port_file.read_text():
            return process, f"http://127.0.0.1:{port_file.read_text()}/hooks", log
        time.sleep(0.05)
    process.kill()
    sys.exit("the receiver did not start")


def plain_loop(url: str, body: bytes, count: int) -> float:
    """Requests per second from one `requests` session POSTing `body`."""
    import requests

    session = requests.Session()
    headers = {"Content-Type": "application/json"}
    started = time.perf_counter()
    for _ in range(count):
        answer = session.post(url, data=body, headers=headers, timeout=10)
        answer.raise_for_status()
    return count / (time.perf_counter() - started)


def write_outbox(url: str, messages: int, cases: int) -> tuple[bytes, dict[str, tuple[str, int]]]:
    """Write the webhook rows and their tasks: a real case's event body, each
    with its own event id. Returns one body (for the plain loop) and, by
    event id, the order key and place of each row."""
    from django.core.management import call_command
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from townhall.cases.factories import submitted_case
    from townhall.cases.models import CaseEvent
    from townhall.catalogue.services import service_import
    from townhall.catalogue.standard import STANDARD_DIR, load_definition_file
    from townhall.notifications.batch import deliveries_wake
    from townhall.notifications.models import Delivery
    from townhall.notifications.services import Outgoing, delivery_add
    from townhall.tenancy.models import Organisation
    from townhall.webhooks.models import Endpoint
    from townhall.webhooks.signing import secret_new
    from townhall.webhooks.subscriber import webhook_messages

    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    council = Organisation.objects.create(
        slug="bench", name="Bench Council", reference_prefix="BEN"
    )
    definition = load_definition_file(STANDARD_DIR / "report-fly-tipping.yaml")
    service = service_import(organisation=council, definition=definition).service
    made = [submitted_case(service) for _ in range(cases)]  # no endpoint yet: no messages
    # Only the deliveries are measured: not the residents' acknowledgements.
    DBTaskResult.objects.all().delete()
    Endpoint.objects.create(
        organisation=council, url=url, events=["case.created"], secret=secret_new()
    )
    events = list(CaseEvent.objects.filter(case__in=made).select_related("case__organisation"))
    template = [webhook_messages(event)[0] for event in events]
    places: dict[str, tuple[str, int]] = {}
    with transaction.atomic():
        for n in range(messages):
            model = template[n % cases]
            body = json.loads(model.body)
            body["id"] = f"{n:08d}-0000-4000-8000-000000000000"
            outgoing = Outgoing(
                channel=Delivery.Channel.WEBHOOK,
                provider=model.provider,
                recipient=url,
                subject=model.subject,
                body=json.dumps(body, separators=(",", ":")),
                payload={**model.payload, "event_id": body["id"]},
                order_key=model.order_key,
            )
            delivery_add(organisation=council, outgoing=outgoing, case=made[n % cases])
            places[body["id"]] = (model.order_key, n)
    # As a case event's subscribers do once their rows commit: wake the batch
    # sender, which claims due rows many at a time (not a task per row).
    deliveries_wake()
    return template[0].body.encode(), places


def start_worker(environment: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "townhall.cli",
            "db_worker",
            "--no-startup-delay",
            "--interval",
            "0.1",
            "--no-reload",
            "-v",
            "0",
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
    )


def recover_lost(*, never_attempted: bool) -> int:
    """What `townhall outbox_retry` does once its staleness windows have
    passed: queue again rows left "sending" (its 10 minutes), and, with
    `never_attempted`, rows never attempted (its 15 minutes: by then the
    later rows of a recovered row's case have been woken by it)."""
    from datetime import timedelta

    from django.db import transaction

    from townhall.notifications import services

    saved = services.SENDING_STALE, services.NEVER_ATTEMPTED_STALE
    services.SENDING_STALE = services.NEVER_ATTEMPTED_STALE = timedelta(0)
    try:
        with transaction.atomic():
            lost = [
                row
                for row in services.deliveries_to_retry()
                if row.status == "sending" or (never_attempted and row.status == "pending")
            ]
            for row in lost:
                services.delivery_retry(delivery=row)
    finally:
        services.SENDING_STALE, services.NEVER_ATTEMPTED_STALE = saved
    return len(lost)


def deliver_all(
    environment: dict[str, str], messages: int, workers: int, kill: bool
) -> dict[str, Any]:
    from townhall.notifications.models import Delivery

    sent = Delivery.objects.filter(status=Delivery.Status.SENT)
    processes = [start_worker(environment) for _ in range(workers)]
    # Timed from the first delivery, so the workers' start-up is not counted.
    while (first := sent.count()) == 0:
        time.sleep(0.01)
    started = time.perf_counter()
    killed_at: int | None = None
    recovered = recoveries = 0
    last_count, last_change = 0, time.perf_counter()
    try:
        while (count := sent.count()) < messages:
            now = time.perf_counter()
            if count != last_count:
                last_count, last_change = count, now
            if kill and killed_at is None and count >= messages * 0.4:
                processes[0].send_signal(signal.SIGKILL)
                processes[0].wait()
                killed_at = count
                processes[0] = start_worker(environment)
            if killed_at is not None and now - last_change > STALL_SECONDS:
                recovered += recover_lost(never_attempted=recoveries > 0)
                recoveries += 1
                last_change = now
            if now - started > 1800:
                sys.exit(f"only {count} of {messages} sent after 30 minutes")
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
    interrupted = Delivery.objects.filter(interrupted=True).count()
    return {
        "seconds": elapsed,
        "rate": (messages - first) / elapsed,
        "killed_at": killed_at,
        "requeued": recovered,
        "interrupted": interrupted,
    }


def check_log(log: Path, places: dict[str, tuple[str, int]]) -> dict[str, int]:
    received = [line.strip() for line in log.read_text().splitlines() if line.strip() != "-"]
    counts = Counter(received)
    out_of_order = 0
    last: dict[str, int] = defaultdict(lambda: -1)
    for event_id in dict.fromkeys(received):  # first arrivals, in order
        key, place = places[event_id]
        if place < last[key]:
            out_of_order += 1
        last[key] = place
    return {
        "received": len(received),
        "distinct": len(counts),
        "missing": len(set(places) - set(counts)),
        "repeated": sum(n - 1 for n in counts.values() if n > 1),
        "out_of_order": out_of_order,
    }


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        workdir = Path(tmp)
        environment = configure(workdir)
        import django

        django.setup()
        from django.db import connection

        receiver, url, log = start_receiver(workdir)
        try:
            print("Writing the outbox ...", file=sys.stderr, flush=True)
            body, places = write_outbox(url, args.messages, args.cases)
            print("Plain loop ...", file=sys.stderr, flush=True)
            plain = plain_loop(url, body, args.messages)
            print("Outbox ...", file=sys.stderr, flush=True)
            outbox = deliver_all(environment, args.messages, args.workers, not args.no_kill)
            checks = check_log(log, places)
        finally:
            receiver.terminate()
            receiver.wait()
        database = connection.vendor
    report(args, plain, outbox, checks, database)
    if args.json:
        figures = {"plain_rate": plain, "outbox": outbox, "checks": checks}
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    if checks["missing"] or checks["out_of_order"]:
        sys.exit("deliveries were lost or out of order")


def report(
    args: argparse.Namespace,
    plain: float,
    outbox: dict[str, Any],
    checks: dict[str, int],
    database: str,
) -> None:
    killed = (
        f"one of {args.workers} workers killed (SIGKILL) after {outbox['killed_at']} "
        f"deliveries and replaced; {outbox['requeued']} row(s) queued again by the "
        "benchmark as outbox_retry would"
        if outbox["killed_at"] is not None
        else "no worker killed"
    )
    print(
        f"## Outbox webhook deliveries, {args.messages} messages over {args.cases} cases\n\n"
        f"{database}; {cpu_count()} CPUs ({cpu_model()}); {args.workers} worker process(es); "
        f"{killed}.\n\n"
        "| | deliveries/s | relative |\n| --- | ---: | ---: |\n"
        f"| plain `requests` loop, one session | {plain:,.0f} | 1.00 |\n"
        f"| outbox through `db_worker` | {outbox['rate']:,.0f} | "
        f"{outbox['rate'] / plain:.2f} |\n\n"
        f"Receiver: {checks['distinct']} of {args.messages} events received, "
        f"{checks['missing']} missing, {checks['repeated']} received twice, "
        f"{checks['out_of_order']} out of order within their case; "
        f"{outbox['interrupted']} row(s) marked interrupted (sent again after the kill).\n"
    )


if __name__ == "__main__":
    main()
