"""Benchmark Townhall's main requests against a bare Django view; `make bench` runs it.

Every run builds a fresh database (a temporary SQLite file, or the database
BENCH_DATABASE_URL names, emptied first), a council with the standard
fly-tipping service, then times each scenario after a warm-up and prints a
Markdown table. Not part of the test suite: nothing here passes or fails on time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.timing import Result, Scenario

PROJECT_DIR = Path(__file__).resolve().parent.parent
if str(PROJECT_DIR) not in sys.path:
    sys.path.insert(0, str(PROJECT_DIR))  # so `bench.*` imports when run as a script

DEFAULT_REPEAT = 100
DEFAULT_WARMUP = 10


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--repeat", type=int, default=DEFAULT_REPEAT, help="timed runs per scenario"
    )
    parser.add_argument(
        "--warmup", type=int, default=DEFAULT_WARMUP, help="untimed runs before those"
    )
    parser.add_argument(
        "--open-cases",
        type=int,
        default=1_000,
        metavar="N",
        help="open cases in the staff queue (default 1,000)",
    )
    parser.add_argument("--json", metavar="PATH", type=Path, help="also write raw numbers here")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="keep DEBUG on, as `TOWNHALL_ENV=development` has it (off by default: "
        "DEBUG logs every query, which on SQLite costs an extra query each)",
    )
    parser.add_argument(
        "--hold-connection",
        action="store_true",
        help="SQLite only: keep one more connection open throughout, as a task worker "
        "or a busy server's other threads would, so the WAL file outlives each request",
    )
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.warmup < 0 or args.open_cases < 1:
        parser.error("--repeat and --open-cases must be at least 1, --warmup at least 0")
    return args


def database_url(workdir: Path) -> str:
    url = os.environ.get("BENCH_DATABASE_URL", "")
    if not url:
        return f"sqlite:///{workdir / 'bench.sqlite3'}"
    import dj_database_url

    name = str(dj_database_url.parse(url)["NAME"])
    if "bench" not in name.rsplit("/", 1)[-1]:
        sys.exit(
            f"BENCH_DATABASE_URL names the database {name!r}. The benchmark empties the "
            "database it uses, so its name must contain 'bench' (townhall_bench, say)."
        )
    return url


def configure_environment(args: argparse.Namespace, workdir: Path) -> None:
    """Development settings, with what the benchmark needs pinned whatever the shell has."""
    os.environ.update(
        {
            "TOWNHALL_ENV": "development",
            "DJANGO_SETTINGS_MODULE": "townhall.settings",
            "DEBUG": "true" if args.debug else "false",
            "DATABASE_URL": database_url(workdir),
            "TOWNHALL_VAR_DIR": str(workdir),
            "MEDIA_ROOT": str(workdir / "media"),
            "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "ALLOWED_HOSTS": "testserver",
            "HTTPS": "false",
            "SECURE_SSL_REDIRECT": "false",
            "LOG_LEVEL": "WARNING",
        }
    )


def setup_django() -> None:
    """Townhall's settings with two changes: the URLs add the bare view, and static
    URLs come from the plain storage (no collectstatic to run; a `{% static %}`
    lookup in the manifest costs next to nothing)."""
    import django
    from django.conf import settings

    settings.ROOT_URLCONF = "bench.urls"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)
    django.setup()


def prepare_database() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # A database named by BENCH_DATABASE_URL may hold an earlier run's cases.
    call_command("flush", interactive=False, verbosity=0)


@contextmanager
def held_connection(hold: bool) -> Iterator[None]:
    """An idle SQLite connection to the benchmark's database, if `hold`."""
    if not hold:
        yield
        return
    import sqlite3

    from django.db import connection

    if connection.vendor != "sqlite":
        sys.exit("--hold-connection is for SQLite only")
    other = sqlite3.connect(connection.settings_dict["NAME"])
    try:
        other.execute("SELECT count(*) FROM django_migrations").fetchone()
        yield
    finally:
        other.close()


def database_description() -> str:
    import sqlite3

    from django.db import connection

    connection.ensure_connection()
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    if connection.vendor == "postgresql":
        major, minor = divmod(connection.pg_version, 10000)  # type: ignore[attr-defined]
        return f"PostgreSQL {major}.{minor}"
    return connection.vendor


def cpu_count() -> int | None:
    """As `nproc` counts: the CPUs this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count()


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def describe_run(args: argparse.Namespace) -> dict[str, Any]:
    import django
    from django.conf import settings
    from django.utils import timezone

    return {
        "date": timezone.localdate().isoformat(),
        "database": database_description(),
        "debug": settings.DEBUG,
        "cpus": cpu_count(),
        "cpu": cpu_model(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "held_connection": args.hold_connection,
        "load_average_1min": os.getloadavg()[0],
        "repeat": args.repeat,
        "warmup": args.warmup,
    }


def run_scenarios(args: argparse.Namespace) -> list[Result]:
    from bench import scenarios
    from bench.timing import measure

    world = scenarios.build_world()
    results: list[Result] = []

    def run(scenario: Scenario) -> None:
        print(f"  {scenario.name} ...", file=sys.stderr, flush=True)
        results.append(measure(scenario, repeat=args.repeat, warmup=args.warmup))

    run(scenarios.bare_view())
    run(scenarios.select_one())
    run(scenarios.connect_select_one())
    run(scenarios.page_get("what", "radios"))
    run(scenarios.page_get("when", "date, three fields"))
    run(scenarios.page_post_valid())
    run(scenarios.page_post_first())
    run(scenarios.page_post_invalid())
    run(scenarios.submit())
    open_cases = scenarios.fill_queue(world.organisation, args.open_cases)
    run(scenarios.staff_queue(world, open_cases, last_page=False))
    run(scenarios.staff_queue(world, open_cases, last_page=True))
    from bench import audit

    entries = audit.fill_audit_log(world, open_cases)
    run(audit.audit_sql(world))
    run(audit.audit_page(world, entries, search=False))
    run(audit.audit_page(world, entries, search=True))
    return results


def report(meta: dict[str, Any], table: str) -> str:
    held = "; a second connection held open" if meta["held_connection"] else ""
    return (
        f"## Townhall benchmark, {meta['date']}\n\n"
        f"{meta['database']}{held}; Python {meta['python']}, Django {meta['django']}; "
        f"{meta['cpus']} CPUs ({meta['cpu']}); DEBUG {'on' if meta['debug'] else 'off'}; "
        f"{meta['repeat']} timed runs per scenario after {meta['warmup']} warm-up runs; "
        f"load average {meta['load_average_1min']:.2f} before, "
        f"{meta['load_average_1min_after']:.2f} after.\n\n"
        f"{table}\n"
    )


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="townhall-bench-") as tmp:
        configure_environment(args, Path(tmp))
        setup_django()
        from django.db import connections

        from bench.timing import as_json, markdown_table

        print("Preparing the database ...", file=sys.stderr, flush=True)
        prepare_database()
        meta = describe_run(args)
        print("Measuring:", file=sys.stderr, flush=True)
        with held_connection(args.hold_connection):
            results = run_scenarios(args)
            meta["load_average_1min_after"] = os.getloadavg()[0]
            connections.close_all()
    print(report(meta, markdown_table(results, baseline="bare")))
    if args.json:
        payload = {"environment": meta, "results": as_json(results, baseline="bare")}
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
