# CPU time from /proc for the benchmarks (store_benchmark.sh, cluster_benchmark.sh): source it.
# CPU microseconds (utime+stime, all threads) of the given processes, summed; a gone one counts 0.
cpu_us() {
    python3 - "$@" << 'PY'
import os, sys
total = 0
for pid in sys.argv[1:]:
    try:
        fields = open("/proc/%s/stat" % pid).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    total += int(fields[11]) + int(fields[12])
print(total * 1_000_000 // os.sysconf("SC_CLK_TCK"))
PY
}
# CPU microseconds of a PostgreSQL server: the postmaster and its live children, plus what its
# exited children used (cutime+cstime of the postmaster, which reaps them).
pg_cpu_us() {
    python3 - "$1" << 'PY'
import os, sys
tick = os.sysconf("SC_CLK_TCK")
master = int(open(sys.argv[1] + "/data/postmaster.pid").readline())
total = 0
for name in os.listdir("/proc"):
    if not name.isdigit():
        continue
    try:
        fields = open("/proc/%s/stat" % name).read().rsplit(")", 1)[1].split()
    except OSError:
        continue
    pid, ppid = int(name), int(fields[1])
    if pid == master:
        total += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    elif ppid == master:
        total += int(fields[11]) + int(fields[12])
print(total * 1_000_000 // tick)
PY
}
