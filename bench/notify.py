"""Benchmark outbox deliveries through GOV.UK Notify against a plain loop of
Notify's client, both sending text messages to the same fake Notify.

The fake Notify (`townhall.testing.notify`, which checks every request's JWT
and payload) runs in a process of its own. In one run, on a fresh database (a
temporary SQLite file, or the one BENCH_DATABASE_URL names, emptied first):

1. plain loop: one `NotificationsAPIClient` sends N text messages in a loop;
2. outbox, in process: N outbox rows, each sent by `delivery_send` (claim the
   row, send it through the Notify provider, record the outcome), one after
   another in this process;
3. outbox, batches in process: N rows sent by the batch sender
   (`deliveries_drain`: claim up to 50 rows in one statement, send them
   through kept-open connections, record each);
4. outbox, task workers: N rows queued (the batch sender woken, as
   `delivery_queue` does) and delivered by `townhall db_worker` processes
   (`--workers`), timed from the first delivery; with `--kill`, the first
   worker is killed (SIGKILL) half way and a new one started, then rows left
   unsent are recovered as `outbox_retry` would, and the run checks that every
   row was sent and that Notify got each reference exactly once.

Rates are deliveries per second (N over the wall time). Not part of the test
suite: nothing here passes or fails on time.

    .venv/bin/python bench/notify.py
    .venv/bin/python bench/notify.py --deliveries 5000 --workers 2
    BENCH_DATABASE_URL=postgres://.../townhall_bench .venv/bin/python bench/notify.py
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
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

from bench.run import (  # noqa: E402
    configure_environment,
    describe_run,
    prepare_database,
    setup_django,
)
from bench.timing import BenchError  # noqa: E402

MOBILE = "07700900123"
WAIT = 600.0  # seconds before a scenario gives up: stops a hang, never a timing check


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--deliveries", type=int, default=2_000, help="messages per scenario")
    parser.add_argument("--workers", type=int, default=2, help="db_worker processes")
    parser.add_argument(
        "--kill",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="kill a worker half way through the task-worker scenario (default on)",
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    args = parser.parse_args(argv)
    if args.deliveries < 2 or args.workers < 1:
        parser.error("--deliveries must be at least 2, --workers at least 1")
    args.debug = False
    args.hold_connection = False
    args.repeat = args.deliveries
    args.warmup = 0
    return args


def start_fake_notify() -> tuple[subprocess.Popen[str], str]:
    """The fake Notify in its own process; returns it and its URL."""
    process = subprocess.Popen(
        [sys.executable, "-m", "townhall.testing.notify"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    url = process.stdout.readline().strip()
    if not url.startswith("http://"):
        process.kill()
        raise BenchError("the fake Notify did not start")
    return process, url


def fake_stats(url: str) -> dict[str, int]:
    import requests

    answer: dict[str, int] = requests.get(f"{url}/_fake/stats", timeout=10).json()
    return answer


def configure_council(url: str) -> Any:
    """A council whose texts go through the fake Notify."""
    from townhall.notifications.services import notify_settings_save
    from townhall.tenancy.models import Organisation
    from townhall.testing.notify import API_KEY, TEMPLATES

    council = Organisation.objects.create(
        slug="bench", name="Bench Council", reference_prefix="BEN"
    )
    notify_settings_save(
        organisation=council,
        enabled=True,
        api_key=API_KEY,
        templates={f"{kind}_template_id": template for kind, template in TEMPLATES.items()},
    )
    return council


def outgoing(n: int) -> Any:
    from townhall.notifications.services import Outgoing

    return Outgoing(
        channel="sms",
        recipient=MOBILE,
        subject="",
        body=f"Bench Council: your request BEN-2026-{n:08d} is now: Being dealt with.",
        payload={"case_reference": f"BEN-2026-{n:08d}", "stop_url": "https://bench.invalid/s/"},
    )


def plain_loop(count: int, url: str) -> float:
    """Seconds for `count` sends through one Notify client, nothing else."""
    from notifications_python_client.notifications import NotificationsAPIClient

    from townhall.testing.notify import API_KEY, TEMPLATES

    client = NotificationsAPIClient(API_KEY, base_url=url)
    start = time.perf_counter()
    for n in range(count):
        client.send_sms_notification(
            phone_number=MOBILE,
            template_id=TEMPLATES["sms"],
            personalisation={"body": outgoing(n).body, "subject": ""},
            reference=f"plain-{n}",
        )
    return time.perf_counter() - start


def outbox_in_process(council: Any, count: int) -> float:
    """Seconds for `delivery_send` over `count` rows written beforehand."""
    from django.db import transaction

    from townhall.notifications.models import Delivery
    from townhall.notifications.services import delivery_add, delivery_send

    with transaction.atomic():
        ids = [delivery_add(organisation=council, outgoing=outgoing(n)).pk for n in range(count)]
    start = time.perf_counter()
    for delivery_id in ids:
        delivery_send(delivery_id=delivery_id)
    elapsed = time.perf_counter() - start
    sent = Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENT).count()
    if sent != count:
        raise BenchError(f"{count - sent} of {count} rows were not sent in process")
    return elapsed


def outbox_batches_in_process(council: Any, count: int) -> float:
    """Seconds for the batch sender (`deliveries_drain`) over `count` rows
    written beforehand, in this process."""
    from django.db import transaction

    from townhall.notifications.batch import deliveries_drain
    from townhall.notifications.models import Delivery
    from townhall.notifications.services import delivery_add

    with transaction.atomic():
        ids = [delivery_add(organisation=council, outgoing=outgoing(n)).pk for n in range(count)]
    start = time.perf_counter()
    deliveries_drain(seconds=WAIT)
    elapsed = time.perf_counter() - start
    sent = Delivery.objects.filter(pk__in=ids, status=Delivery.Status.SENT).count()
    if sent != count:
        raise BenchError(f"{count - sent} of {count} rows were not sent in batches")
    return elapsed


def start_worker(number: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(  # noqa: S603  (our own command)
        [
            str(Path(sys.executable).parent / "townhall"),
            "db_worker",
            "--interval",
            "0.05",
            "--no-startup-delay",
            "--worker-id",
            f"bench-{number}-{time.monotonic_ns()}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=os.environ.copy(),
    )


def outbox_workers(council: Any, count: int, workers: int, kill: bool) -> dict[str, Any]:
    """Queue `count` rows as tasks and time `workers` db_worker processes
    delivering them, one killed half way if `kill`; then recover what the
    killed one left, as `outbox_retry` does, and count."""
    from django.db import transaction

    from townhall.notifications.models import Delivery
    from townhall.notifications.services import delivery_queue, delivery_retry

    with transaction.atomic():
        ids = [delivery_queue(organisation=council, outgoing=outgoing(n)).pk for n in range(count)]
    rows = Delivery.objects.filter(pk__in=ids)
    processes = [start_worker(n) for n in range(workers)]
    # Timed from the first delivery, so the workers' start-up is not counted.
    deadline = time.monotonic() + WAIT
    while (first := rows.filter(status=Delivery.Status.SENT).count()) == 0:
        if time.monotonic() > deadline:
            raise BenchError("the workers did not start delivering in time")
        time.sleep(0.01)
    start = time.perf_counter()
    killed = recovered = 0
    last_sent, last_change = -1, time.monotonic()
    try:
        while (sent := rows.filter(status=Delivery.Status.SENT).count()) < count:
            if time.monotonic() > deadline:
                raise BenchError("the workers did not deliver every row in time")
            if sent != last_sent:
                last_sent, last_change = sent, time.monotonic()
            if kill and not killed and sent >= count // 2:
                processes[0].send_signal(signal.SIGKILL)
                processes[0].wait()
                killed = 1
                processes[0] = start_worker(workers)
            if killed and not recovered and _idle(last_change):
                # What the killed worker held: its task is lost; outbox_retry
                # finds the row (left sending, or never attempted) and queues it again.
                stuck = list(rows.exclude(status=Delivery.Status.SENT))
                for delivery in stuck:
                    with transaction.atomic():
                        delivery_retry(delivery=delivery)
                recovered = len(stuck) or -1
            time.sleep(0.05)
        elapsed = time.perf_counter() - start
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
    return {
        "seconds": elapsed,
        "timed": count - first,
        "killed": killed,
        "recovered": max(recovered, 0),
    }


def _idle(last_change: float) -> bool:
    """True when no task is waiting and nothing was sent for a second: what is
    still unsent was lost with the killed worker (outbox_retry waits minutes)."""
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.filter(status="READY").exists()
    return not waiting and time.monotonic() - last_change > 1.0


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    fake, url = start_fake_notify()
    try:
        with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
            configure_environment(args, Path(tmp))
            os.environ.update(
                {
                    "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
                    "NOTIFY_BASE_URL": url,
                }
            )
            setup_django()
            from django.db import connections

            print("Preparing the database ...", file=sys.stderr, flush=True)
            prepare_database()
            council = configure_council(url)
            meta = describe_run(args)
            n = args.deliveries
            print("  plain Notify client loop ...", file=sys.stderr, flush=True)
            plain = plain_loop(n, url)
            print("  outbox, in process ...", file=sys.stderr, flush=True)
            in_process = outbox_in_process(council, n)
            print("  outbox, batches in process ...", file=sys.stderr, flush=True)
            batches = outbox_batches_in_process(council, n)
            before = fake_stats(url)
            print(f"  outbox, {args.workers} db_worker(s) ...", file=sys.stderr, flush=True)
            workers = outbox_workers(council, n, args.workers, args.kill)
            after = fake_stats(url)
            meta["load_average_1min_after"] = os.getloadavg()[0]
            connections.close_all()
    finally:
        fake.kill()
        fake.wait()
    taken = after["accepted"] - before["accepted"]
    distinct = after["distinct_references"] - before["distinct_references"]
    if taken != n or distinct != n:
        raise BenchError(
            f"Notify took {taken} messages with {distinct} references for {n} rows: "
            "a delivery was lost or repeated"
        )
    rates = {
        "plain": n / plain,
        "in_process": n / in_process,
        "batches": n / batches,
        "workers": workers["timed"] / workers["seconds"],
    }
    print(report(meta, args, rates, workers))
    if args.json:
        payload = {"environment": meta, "rates_per_second": rates, "workers": workers}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


def report(
    meta: dict[str, Any], args: argparse.Namespace, rates: dict[str, float], workers: dict[str, Any]
) -> str:
    plain = rates["plain"]
    kill = (
        f"; worker killed half way and restarted, {workers['recovered']} row(s) recovered "
        "as outbox_retry would"
        if workers["killed"]
        else ""
    )
    lines = [
        f"## Notify outbox, {meta['date']}",
        "",
        f"{args.deliveries:,} text messages per scenario to a fake GOV.UK Notify in its own "
        f"process; {meta['database']}; Python {meta['python']}; {meta['cpus']} CPUs "
        f"({meta['cpu']}); load average {meta['load_average_1min']:.2f} before, "
        f"{meta['load_average_1min_after']:.2f} after.",
        "",
        "| Scenario | Deliveries per second | Share of the plain loop |",
        "|---|---:|---:|",
        f"| Plain `NotificationsAPIClient` loop (baseline) | {plain:.0f} | 100% |",
        f"| Outbox, `delivery_send` in one process | {rates['in_process']:.0f} "
        f"| {rates['in_process'] / plain:.0%} |",
        f"| Outbox, batch sender (`deliveries_drain`) in one process | {rates['batches']:.0f} "
        f"| {rates['batches'] / plain:.0%} |",
        f"| Outbox, {args.workers} `db_worker` process(es){kill} | {rates['workers']:.0f} "
        f"| {rates['workers'] / plain:.0%} |",
        "",
        f"Every row sent; Notify got each of the {args.deliveries:,} references of the "
        "task-worker run exactly once.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
