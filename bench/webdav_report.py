#!/usr/bin/env python3
"""Prints the table and the target ratios of a bench/webdav.sh run.

  webdav_report.py OUT_DIR [NOISY_PCT]

Reads OUT_DIR/results.tsv and OUT_DIR/servers.tsv. A run is invalid when it had any non-2xx
answer or socket error (or no requests); a ratio with an invalid side is INVALID, not PASS or
FAIL. A target whose peer was not run is reported as not run. Exit status: 2 if any run is
invalid or a compared run is missing, else 1 if a target is missed, else 0.
"""
import csv
import sys

# (label, case, peer, minimum unitcell/peer ratio, p99 limit in ms for unitcell at 64 conns)
TARGETS = [
    ("(a) authenticated GET 100 B vs nginx anonymous", "get_small", "nginx", 0.5, 5.0),
    ("(b) PUT new 100 B vs apache", "put_small", "apache", 1.0, None),
    ("(c) GET 1 MiB vs nginx", "get_1mb", "nginx", 0.9, None),
    ("(d) PROPFIND Depth 1, 1,000 files vs nginx", "propfind_1000", "nginx", 1.0, None),
]
P99_CONNS = 64


def invalid(row):
    return int(row["non2xx"]) > 0 or int(row["sock_err"]) > 0 or int(row["requests"]) == 0


def main():
    out = sys.argv[1]
    noisy = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    with open(f"{out}/results.tsv") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    labels = {}
    with open(f"{out}/servers.tsv") as f:
        for line in f:
            key, label = line.rstrip("\n").split("\t", 1)
            labels[key] = label
    print("servers: " + "; ".join(f"{k} = {v}" for k, v in labels.items()))
    print()
    head = ("case", "conns", "server", "req/s", "p50 ms", "p99 ms", "non-2xx", "cpu us/req", "note")
    fmt = "{:<15} {:>5} {:<9} {:>10} {:>8} {:>9} {:>8} {:>10}  {}"
    print(fmt.format(*head))
    status = 0
    for r in rows:
        notes = []
        if invalid(r):
            notes.append(f"INVALID ({r['non2xx']} non-2xx, {r['sock_err']} socket errors)")
            status = 2
        if int(r["other_cpu_pct"]) > noisy:
            notes.append(f"noisy: others used {r['other_cpu_pct']}% of a core")
        if r["server"] == "css" and r["case"] == "propfind_1000":
            notes.append("GET of the container as text/turtle (no PROPFIND)")
        if r["server"] == "css" and r["case"] in ("get_small", "get_1mb", "put_small"):
            notes.append("anonymous (public container)")
        print(fmt.format(r["case"], r["conns"], r["server"], r["rps"], r["p50_ms"], r["p99_ms"],
                         r["non2xx"], r["srv_cpu_us_per_req"], "; ".join(notes)))
    index = {(r["server"], r["case"], r["conns"]): r for r in rows}
    conns = sorted({r["conns"] for r in rows}, key=int)
    print()
    print("targets (unitcell / peer, req/s):")
    missed = False
    for label, case, peer, want, p99_max in TARGETS:
        for c in conns:
            u, p = index.get(("unitcell", case, c)), index.get((peer, case, c))
            if peer not in labels:
                print(f"  {label:<48} c={c:<3} not run ({peer} not in PEERS)")
                continue
            if u is None and p is None:
                continue  # the case was not selected (CASES)
            if u is None or p is None:
                print(f"  {label:<48} c={c:<3} MISSING")
                status = 2
                continue
            ratio = float(u["rps"]) / max(float(p["rps"]), 1e-9)
            ok = ratio >= want
            extra = ""
            if p99_max is not None and int(c) == P99_CONNS:
                ok = ok and float(u["p99_ms"]) < p99_max
                extra = f", unitcell p99 {u['p99_ms']} ms (< {p99_max:g})"
            verdict = "INVALID" if invalid(u) or invalid(p) else ("PASS" if ok else "FAIL")
            if verdict == "FAIL":
                missed = True
            print(f"  {label:<48} c={c:<3} {ratio:6.2f} (>= {want:g}{extra})  {verdict}")
    if status == 0 and missed:
        status = 1
    sys.exit(status)


if __name__ == "__main__":
    main()
