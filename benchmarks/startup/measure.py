#!/usr/bin/env python3
"""Start-up benchmark: time from process start to the QMP greeting, and idle RSS, JSD vs QSD.

Usage: measure.py [RUNS]   (from the repository root, after `mvn package`)
Each run: start the daemon with a QMP unix socket in a fresh temp dir, connect as soon as the
socket exists, take the time when the greeting line has arrived, negotiate, sleep 2 s, read VmRSS
from /proc/PID/status, send quit. Prints the median and min/max of each.
"""
import os, socket, statistics, subprocess, sys, tempfile, time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 5
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
JSD = os.environ.get("JSD_BIN", os.path.join(ROOT, "distribution/target/jsd/bin/jsd"))
ONLY = os.environ.get("ONLY")  # "JSD" or "QSD" to measure one side

def run(cmd):
    d = tempfile.mkdtemp()
    sock = os.path.join(d, "qmp.sock")
    args = cmd + ["--chardev", f"socket,id=m0,path={sock},server=on,wait=off", "--monitor", "m0"]
    t0 = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if p.poll() is not None:
                raise RuntimeError(f"{cmd[0]} exited with {p.returncode}")
            if time.monotonic() - t0 > 60:
                raise RuntimeError("no QMP socket within 60 s")
            if os.path.exists(sock):
                try:
                    s = socket.socket(socket.AF_UNIX)
                    s.connect(sock)
                    break
                except OSError:
                    s.close()
            time.sleep(0.002)
        f = s.makefile("rwb")
        f.readline()
        ready = time.monotonic() - t0
        f.write(b'{"execute":"qmp_capabilities"}\n'); f.flush(); f.readline()
        time.sleep(2)
        rss = 0
        with open(f"/proc/{p.pid}/status") as st:
            for line in st:
                if line.startswith("VmRSS:"):
                    rss = int(line.split()[1]) / 1024
        f.write(b'{"execute":"quit"}\n'); f.flush(); f.readline()
        p.wait(30)
        return ready, rss
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()

for name, cmd in (("QSD", ["qemu-storage-daemon"]), ("JSD", [JSD])):
    if ONLY and ONLY != name:
        continue
    results = [run(cmd) for _ in range(RUNS)]
    ready = [r[0] * 1000 for r in results]
    rss = [r[1] for r in results]
    print(f"{name}: greeting after {statistics.median(ready):.0f} ms (min {min(ready):.0f}, max {max(ready):.0f}); "
          f"idle RSS {statistics.median(rss):.1f} MiB (min {min(rss):.1f}, max {max(rss):.1f}) over {RUNS} runs")
