#!/usr/bin/env python3
"""A stand-in object store for tests/upload-e2e.sh, on 127.0.0.1.

usage: upload-server.py MODE PORTFILE
  drop     reads a request's headers, then closes the connection without
           answering: a store or proxy that dies mid-upload
  presign  accepts PUT /KEY?X-Amz-Signature=... only: no Authorization
           header allowed (a presigned URL carries no credentials), answers
           200 with the MD5 ETag and keeps the body in the directory of
           PORTFILE as KEY's base name

Writes the port it listens on to PORTFILE, then serves until killed.
"""
import hashlib
import os
import socket
import sys


def read_headers(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head.decode("latin-1"), rest


def serve(mode, portfile):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    tmp = portfile + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(s.getsockname()[1]))
    os.rename(tmp, portfile)
    while True:
        conn, _ = s.accept()
        with conn:
            head, rest = read_headers(conn)
            if head is None or mode == "drop":
                continue
            lines = head.split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            if headers.get("expect", "").lower() == "100-continue":
                conn.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
            n = int(headers.get("content-length", "0"))
            body = rest
            while len(body) < n:
                chunk = conn.recv(1 << 20)
                if not chunk:
                    break
                body += chunk
            ok = (method == "PUT" and "authorization" not in headers
                  and "X-Amz-Signature=" in target and len(body) == n)
            if not ok:
                msg = b"<Error><Code>AccessDenied</Code><Message>not a presigned PUT</Message></Error>"
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: %d\r\n\r\n%s" % (len(msg), msg))
                continue
            name = os.path.basename(target.split("?")[0])
            with open(os.path.join(os.path.dirname(portfile), "presigned-" + name), "wb") as f:
                f.write(body)
            etag = hashlib.md5(body).hexdigest()
            conn.sendall(('HTTP/1.1 200 OK\r\nETag: "%s"\r\nContent-Length: 0\r\n\r\n' % etag).encode())


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2])
