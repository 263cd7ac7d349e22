#!/usr/bin/env python3
"""Workload and verification for daemon-crash.sh.

gen SEED N          print N qemu-io commands: 4 KiB pattern writes to random blocks (block 0 is
                    the flush marker), every 8th followed by "flush" and a marker write, whose
                    output line tells that the flush before it completed.
verify SEED N FLUSHED RAW
                    every block holds the value of the last write before the FLUSHED-th
                    completed flush, or of a later write (those may or may not have landed).
"""
import random, sys

BLOCK = 4096

def ops(seed, n, blocks):
    r = random.Random(seed)
    out = []
    for i in range(1, n + 1):
        out.append(("w", 1 + r.randrange(blocks - 1), i % 255 + 1))
        if i % 8 == 0:
            out.append(("f",))
    return out

def main():
    mode, seed, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    blocks = 64 * 1024 * 1024 // BLOCK
    seq = ops(seed, n, blocks)
    if mode == "gen":
        for op in seq:
            if op[0] == "w":
                print("write -P %d %d %d" % (op[2], op[1] * BLOCK, BLOCK))
            else:
                print("flush")
                print("write -P 0 0 512")
        return
    flushed, raw = int(sys.argv[4]), sys.argv[5]
    data = open(raw, "rb").read()
    last = {}
    later = {}
    seen = 0
    for op in seq:
        if op[0] == "f":
            seen += 1
            continue
        if seen < flushed:
            last[op[1]] = op[2]
        else:
            later.setdefault(op[1], set()).add(op[2])
    bad = 0
    # a write in flight when the daemon died may be torn: check each 512-byte sector
    for b in range(1, blocks):
        ok = later.get(b, set())
        want = last.get(b, 0)
        for s in range(b * BLOCK, (b + 1) * BLOCK, 512):
            chunk = data[s:s + 512]
            v = chunk[0]
            if not (chunk == bytes([v]) * 512 and (v == want or v in ok)):
                bad += 1
                if bad < 5:
                    print("block %d sector %d: holds %d, want %d or one of %s" % (b, s // 512, v, want, sorted(ok)))
    if bad:
        print("%d bad blocks" % bad)
        sys.exit(1)

main()
