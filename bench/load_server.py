"""The server under load test: `townhall serve` in a subprocess, and the CPU
time its processes use (from /proc, so Linux only)."""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def children(pid: int) -> list[int]:
    found = []
    for path in Path("/proc").glob("[0-9]*/stat"):
        fields = _stat(int(path.parent.name))
        if fields and int(fields[1]) == pid:
            found.append(int(path.parent.name))
    return found


def cpu_seconds(pid: int, *, children: bool = True) -> float:
    """User and system CPU time of a process, and with `children` of its
    children that have ended (they are counted here once reaped)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    # After the ")": state ppid ... utime(12) stime(13) cutime(14) cstime(15), 0-based from state.
    ticks = int(fields[11]) + int(fields[12])
    if children:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / TICKS


def tree_cpu(pid: int) -> float:
    return cpu_seconds(pid) + sum(tree_cpu(child) for child in children(pid))


class ServerProcess:
    def __init__(self, environment: dict[str, str], args: argparse.Namespace) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.base = f"http://127.0.0.1:{self.port}"
        command = [
            sys.executable, "-m", "townhall.cli", "serve", "--port", str(self.port),
            "--threads", str(args.threads), "--with-worker",
            "--task-workers", str(args.task_workers),
        ]  # fmt: skip
        if args.web_workers:
            command += ["--workers", str(args.web_workers)]
        self.log = Path(environment["TOWNHALL_VAR_DIR"]) / "serve.log"
        cpus = getattr(args, "server_cpus", None)
        self.process = subprocess.Popen(  # noqa: S603
            command,
            env=environment,
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            # With --pin: the server and every process it starts on their own CPUs.
            preexec_fn=(lambda: os.sched_setaffinity(0, cpus)) if cpus else None,
        )

    def wait_until_ready(self, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                sys.exit(f"townhall serve stopped:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=5) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        sys.exit("townhall serve never answered /healthz")

    def cpu(self) -> tuple[float, float]:
        """CPU seconds so far of the web server (gunicorn's master and workers)
        and of the task workers."""
        web = tasks = 0.0
        for child in children(self.process.pid):
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except OSError:
                continue  # it has just ended
            if b"gunicorn" in cmdline:
                web += tree_cpu(child)
            else:
                tasks += tree_cpu(child)
        return web, tasks

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
