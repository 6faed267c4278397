"""Measuring one run of a command with the operating system's accounting: wall time, CPU
time of the whole process tree (wait4), and its peak memory (sampled from /proc)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

KIB_PER_MIB = 1024


@dataclass
class Sample:
    """One measured run of a build command."""

    wall_s: float
    """time.perf_counter() from just before spawning to the end of wait4()."""
    user_s: float
    sys_s: float
    cpu_s: float
    """user + sys of the process and all its waited-for descendants (wait4 rusage)."""
    peak_mib: float
    """Largest sum of VmRSS over the process tree in one sample, at least max_single_mib."""
    peak_pss_mib: float
    """Largest sum of Pss (shared pages split between sharers) over the tree in one sample."""
    max_single_mib: float
    """ru_maxrss: the peak RSS of the largest single process of the tree."""
    processes: int
    """Most processes alive in the tree at one sample."""
    returncode: int
    load1: float
    """1-minute load average just before the run (includes the previous runs)."""
    other_cpu_s: float
    """CPU time the whole machine spent during the run outside the measured tree (other
    work, and this harness's sampler): what makes wall times unreliable."""


def children(pid: int) -> list[int]:
    """Direct children of pid (all its threads'), from /proc/<pid>/task/<tid>/children."""
    found: list[int] = []
    try:
        for tid in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{tid}/children") as file:
                found += [int(child) for child in file.read().split()]
    except OSError:  # gone meanwhile
        pass
    return found


def process_tree(pid: int) -> list[int]:
    tree, pending = [], [pid]
    while pending:
        current = pending.pop()
        tree.append(current)
        pending += children(current)
    return tree


def proc_kib(path: str, key: str) -> int:
    """The `key:  123 kB` value of a /proc status-like file; 0 if the process is gone."""
    try:
        with open(path) as file:
            for line in file:
                if line.startswith(key):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Sums VmRSS over a process and all its descendants every `interval` seconds and keeps
    the largest sum. Also sums Pss, less often: reading smaps_rollup walks the page tables
    (about 25 ms per GiB), so it is read only as often as keeps its cost under
    PSS_BUDGET of one CPU."""

    PSS_BUDGET = 0.02

    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.done = threading.Event()
        self.peak_rss_kib = 0
        self.peak_pss_kib = 0
        self.processes = 0
        self.next_pss = 0.0

    def run(self) -> None:
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.interval)

    def sample(self) -> None:
        tree = process_tree(self.pid)
        rss = sum(proc_kib(f"/proc/{pid}/status", "VmRSS:") for pid in tree)
        self.peak_rss_kib = max(self.peak_rss_kib, rss)
        self.processes = max(self.processes, len(tree))
        started = time.perf_counter()
        if started >= self.next_pss:
            pss = sum(proc_kib(f"/proc/{pid}/smaps_rollup", "Pss:") for pid in tree)
            self.peak_pss_kib = max(self.peak_pss_kib, pss)
            cost = time.perf_counter() - started
            self.next_pss = started + cost / self.PSS_BUDGET

    def stop(self) -> None:
        self.done.set()
        self.join()


def machine_busy_s() -> float:
    """CPU seconds all CPUs have been busy since boot (/proc/stat: user, nice, system, irq,
    softirq, steal)."""
    try:
        with open("/proc/stat") as file:
            fields = [int(value) for value in file.readline().split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def measure(command: Sequence[str], cwd: Path, log: Path, interval: float,
            drop_caches: bool = False, env: Mapping[str, str] | None = None) -> Sample:
    """Runs command once (output to log; `env`: its environment, else this one's) and
    measures it; with `drop_caches`, after emptying the kernel's page, dentry and inode
    caches (needs root)."""
    os.sync()  # the previous run's dirty pages are not this run's to write
    if drop_caches:
        # On some virtual machines creating files costs more kernel time the fuller
        # these caches are (the same build: 3 to 30 s of system time).
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    load1 = os.getloadavg()[0]
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as output:
        busy = machine_busy_s()
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   env=env)
        sampler = TreeSampler(process.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        busy = machine_busy_s() - busy
    sampler.stop()
    process.returncode = os.waitstatus_to_exitcode(status)
    single = usage.ru_maxrss / KIB_PER_MIB  # KiB on Linux
    return Sample(
        wall_s=wall, user_s=usage.ru_utime, sys_s=usage.ru_stime,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_mib=max(sampler.peak_rss_kib / KIB_PER_MIB, single),
        peak_pss_mib=sampler.peak_pss_kib / KIB_PER_MIB, max_single_mib=single,
        processes=sampler.processes, returncode=process.returncode, load1=load1,
        other_cpu_s=max(0.0, busy - usage.ru_utime - usage.ru_stime),
    )
