"""Preparing the load test's database and server settings, and checking the
run afterwards: unique references, one email per case, no task run twice."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.run import cpu_count, database_description, database_url


def prepare(
    args: argparse.Namespace, workdir: Path, password: str
) -> tuple[dict[str, str], dict[str, Any]]:
    """The server's environment, a fresh database with the council, the service
    and `args.staff` caseworkers, and collected static files."""
    settings_env = {
        "TOWNHALL_ENV": "development",
        "DEBUG": "false",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": "load-test-" + "k" * 50,
        "DATABASE_URL": database_url(workdir),
        "TOWNHALL_VAR_DIR": str(workdir),
        "MEDIA_ROOT": str(workdir / "media"),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(workdir / "mail"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "false",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "CACHE_KEY_PREFIX": f"townhall-load-{os.getpid()}",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(workdir.parent), _project()])),
    }
    if args.redis:
        settings_env["REDIS_URL"] = args.redis
    if args.max_wait is not None:
        settings_env["WEB_MAX_WAIT"] = str(args.max_wait)
    inherited = ("REDIS_URL", "THROTTLE_STORE", "DATABASE_REPLICA_URL", "S3_BUCKET", "WEB_MAX_WAIT")
    for name in inherited:
        os.environ.pop(name, None)
    os.environ.update(settings_env)
    environment = dict(os.environ)

    import django

    django.setup()
    from django.core.management import call_command

    from bench.scenarios import build_world
    from townhall.accounts.models import User
    from townhall.tenancy.models import Membership

    print("Preparing the database and static files ...", file=sys.stderr, flush=True)
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    world = build_world()
    from townhall.accounts.two_factor import demo_authenticator, recovery_codes_replace

    emails = []
    for number in range(args.staff):
        email = f"caseworker{number}@example.gov.uk"
        user = User.objects.create_user(email, password=password)
        Membership.objects.create(user=user, organisation=world.organisation)
        # Staff sign in with a second factor: each caseworker gives a recovery
        # code (each works once, so one a phase) after the password.
        demo_authenticator(user=user)
        emails.append((email, recovery_codes_replace(user=user)))
    from django.db import connections
    from django.utils import timezone

    meta = {
        "date": timezone.localdate().isoformat(),
        "database": database_description(),
        "cpus": cpu_count(),
        "web_workers": args.web_workers or "default (2 per core)",
        "threads": args.threads,
        "task_workers": args.task_workers,
        "residents": args.residents,
        "rate": args.rate,
        "staff": args.staff,
        "duration": args.duration,
        "redis": bool(args.redis),
        "surge": args.surge,
        "max_wait": f"{args.max_wait:g} s" if args.max_wait is not None else "5 s (default)",
        "staff_emails": emails,
    }
    connections.close_all()
    return environment, meta


def _project() -> str:
    return str(Path(__file__).resolve().parent.parent)


def _messages(folder: Path) -> list[str]:
    """Every message the file-based email backend wrote (each ends with a rule)."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        messages += [m for m in path.read_text().split("-" * 79 + "\n") if m.strip()]
    return messages


def check_run(
    environment: dict[str, str],
    references: list[str],
    workdir: Path,
    *,
    accepted_submits: int,
    server_errors: int,
) -> dict[str, Any]:
    """After the run: nothing lost, nothing half-written, nothing done twice."""
    from django.db.models import Q
    from django_tasks_db.models import DBTaskResult

    from townhall.cases.models import Case
    from townhall.notifications.models import Delivery

    unfinished = ("READY", "RUNNING")
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        waiting = DBTaskResult.objects.filter(status__in=unfinished).count()
        if not waiting and not Delivery.objects.exclude(status="sent").exists():
            break
        time.sleep(1)
    messages = _messages(Path(environment["EMAIL_FILE_PATH"]))
    cases = Case.objects.count()
    per_reference = dict.fromkeys(references, 0)
    for message in messages:
        for reference in set(per_reference).intersection(message.split()):
            per_reference[reference] += 1
    tasks = list(DBTaskResult.objects.values_list("status", "worker_ids"))
    run_twice = sum(1 for _status, workers in tasks if len(workers) > 1)
    not_done = sum(1 for status, _workers in tasks if status != "SUCCESSFUL")
    checks: dict[str, Any] = {
        "cases completed by residents": len(references),
        "cases in the database": cases,
        "references unique": len(set(references)) == len(references)
        and Case.objects.filter(reference__in=references).count() == len(references),
        "emails written": len(messages),
        "cases acknowledged by exactly one email": sum(1 for n in per_reference.values() if n == 1),
        # A case is written with its first event and its contact in one transaction.
        "cases without an event or a contact": Case.objects.filter(
            Q(events__isnull=True) | Q(contacts__isnull=True)
        )
        .distinct()
        .count(),
        "submissions accepted": accepted_submits,
        "accepted submissions without a reference": accepted_submits - len(references),
        "errors 5xx other than a clean 503": server_errors,
        "tasks": len(tasks),
        "tasks run by more than one worker": run_twice,
        "tasks not finished successfully": not_done,
    }
    checks["all passed"] = (
        checks["references unique"]
        and checks["cases acknowledged by exactly one email"] == len(references)
        and len(messages) == cases
        and checks["cases without an event or a contact"] == 0
        and accepted_submits == len(references) == cases
        and server_errors == 0
        and run_twice == 0
        and not_done == 0
    )
    _forget_redis_keys(environment)
    return checks


def _forget_redis_keys(environment: dict[str, str]) -> None:
    if not environment.get("REDIS_URL"):
        return
    import redis

    client = redis.Redis.from_url(environment["REDIS_URL"])
    keys = list(client.scan_iter(f"{environment['CACHE_KEY_PREFIX']}:*"))
    if keys:
        client.delete(*keys)
    client.close()
