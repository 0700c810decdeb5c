"""Tower's processes by component (services, script workers, PostgreSQL, RabbitMQ).

    components.py cpu      one "name<TAB>clock ticks of CPU (user + system)" line per component
    components.py pids     one "pid<TAB>component" line per process of a component
    components.py switches one "name<TAB>context switches" line per component (every thread's voluntary
                           and involuntary ones: on a VM where a wake-up costs more than most work,
                           the count per call says where the time goes)
    components.py memory   a table of RSS and PSS per component, in MB. PSS shares each shared page
                           (PostgreSQL's shared buffers, the .NET runtime's files) among the processes
                           that map it, so its total is not counted once per process as RSS's is.
"""
import os
import re
import sys

# Script workers first (their command line names their service's assembly too), by the service that runs them.
KINDS = [("Auth workers", r"tower-script-worker.*Tower\.Auth\.dll"), ("Executor workers", r"tower-script-worker.*Tower\.Executor\.dll"),
         ("Tower.Gateway", r"Tower\.Gateway\.dll"),
         ("Tower.Auth", r"Tower\.Auth\.dll"), ("Tower.Executor", r"Tower\.Executor\.dll"),
         ("Tower.Logging", r"Tower\.Logging\.dll"), ("Tower.Admin", r"Tower\.Admin\.dll"),
         ("PostgreSQL", r"postgres"), ("RabbitMQ", r"beam\.smp|epmd|erl_child|rabbit")]


def processes(file):
    """(component, text of /proc/<pid>/<file>, pid) for every process of a component."""
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            command = open(f"/proc/{pid}/cmdline").read().replace("\0", " ")
            text = open(f"/proc/{pid}/{file}").read()
        except OSError:
            continue
        name = next((name for name, pattern in KINDS if re.search(pattern, command)), None)
        if name is not None:
            yield name, text, pid


if sys.argv[1] == "cpu":
    ticks = {name: 0 for name, _ in KINDS}
    for name, stat, _ in processes("stat"):
        fields = stat.rsplit(")", 1)[1].split()
        ticks[name] += int(fields[11]) + int(fields[12])
    for name, value in ticks.items():
        print(f"{name}\t{value}")
elif sys.argv[1] == "switches":
    counts = {name: 0 for name, _ in KINDS}
    for name, _, pid in processes("stat"):
        for task in os.listdir(f"/proc/{pid}/task"):
            try:
                status = open(f"/proc/{pid}/task/{task}/status").read()
            except OSError:
                continue
            counts[name] += sum(int(n) for n in re.findall(r"^(?:non)?voluntary_ctxt_switches:\s+(\d+)", status, re.M))
    for name, value in counts.items():
        print(f"{name}\t{value}")
elif sys.argv[1] == "pids":
    for name, _, pid in processes("stat"):
        print(f"{pid}\t{name}")
else:
    totals = {name: [0, 0] for name, _ in KINDS}
    for name, rollup, _ in processes("smaps_rollup"):
        totals[name][0] += int(re.search(r"^Rss:\s+(\d+)", rollup, re.M).group(1))
        totals[name][1] += int(re.search(r"^Pss:\s+(\d+)", rollup, re.M).group(1))
    print(f"  {'':16} {'RSS':>6} {'PSS':>6}")
    for name, (rss, pss) in totals.items():
        print(f"  {name:16} {rss / 1024:6.0f} {pss / 1024:6.0f}")
    print(f"  {'total':16} {sum(v[0] for v in totals.values()) / 1024:6.0f} {sum(v[1] for v in totals.values()) / 1024:6.0f}")
