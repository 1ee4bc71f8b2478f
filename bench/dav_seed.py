#!/usr/bin/env python3
"""Seeds and checks a WebDAV server for bench/webdav.sh, over one keep-alive connection.

  dav_seed.py seed   BASE PAYLOAD_DIR PUT_DIRS   MKCOL list/, putbench/, putbench/d0..; PUT
                                                  small.txt, 1mb.bin, list/f0000..f0999.txt
  dav_seed.py verify BASE PAYLOAD_DIR             GET small.txt and 1mb.bin (same bytes),
                                                  PROPFIND Depth 1 list/ (207, 1,001 responses)

BASE is the collection URL (no trailing slash). Env AUTH: the Authorization header value.
Exits non-zero, naming the request, on the first unexpected answer.
"""
import http.client
import os
import re
import sys
import urllib.parse

LIST_FILES = 1000
PROPFIND = (b'<?xml version="1.0" encoding="utf-8"?>'
            b'<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>')


class Dav:
    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        self.path = u.path.rstrip("/")
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.auth = os.environ.get("AUTH", "")

    def req(self, method, rel, body=None, headers=None, want=(200,)):
        h = dict(headers or {})
        if self.auth:
            h["Authorization"] = self.auth
        self.conn.request(method, self.path + rel, body=body, headers=h)
        res = self.conn.getresponse()
        data = res.read()
        if res.status not in want:
            sys.exit(f"{method} {self.path}{rel}: {res.status} {data[:300]!r}")
        return data


def seed(dav, payload, put_dirs):
    small = open(os.path.join(payload, "small.txt"), "rb").read()
    big = open(os.path.join(payload, "1mb.bin"), "rb").read()
    created = (201,)
    dav.req("PUT", "/small.txt", small, {"Content-Type": "text/plain"}, created)
    dav.req("PUT", "/1mb.bin", big, {"Content-Type": "application/octet-stream"}, created)
    for col in ["/list/", "/putbench/"] + [f"/putbench/d{k}/" for k in range(put_dirs)]:
        dav.req("MKCOL", col, want=created)
    for i in range(LIST_FILES):
        dav.req("PUT", f"/list/f{i:04d}.txt", small, {"Content-Type": "text/plain"}, created)


def verify(dav, payload):
    for name in ("small.txt", "1mb.bin"):
        want = open(os.path.join(payload, name), "rb").read()
        if dav.req("GET", "/" + name) != want:
            sys.exit(f"GET /{name}: body differs from the payload")
    body = dav.req("PROPFIND", "/list/", PROPFIND,
                   {"Depth": "1", "Content-Type": "application/xml"}, (207,))
    n = len(re.findall(rb"<(?:[A-Za-z0-9_]+:)?response[ >]", body))
    if n != LIST_FILES + 1:
        sys.exit(f"PROPFIND /list/: {n} responses, expected {LIST_FILES + 1}")
    print(f"verified: small.txt, 1mb.bin, PROPFIND list/ = {n} responses, {len(body)} bytes")


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    dav = Dav(sys.argv[2])
    if sys.argv[1] == "seed":
        seed(dav, sys.argv[3], int(sys.argv[4]))
    elif sys.argv[1] == "verify":
        verify(dav, sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
