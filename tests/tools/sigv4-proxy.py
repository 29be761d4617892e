#!/usr/bin/env python3
"""A SigV4-verifying gateway in front of s3rver, for tests/upload-e2e.sh.

usage: sigv4-proxy.py UPSTREAM_PORT ACCESS_KEY SECRET PORTFILE

s3rver checks the access key but not Signature Version 4 signatures (its
authentication middleware says "Signature version 4 calculation is
unimplemented"), so a wrong secret would pass unnoticed. This gateway
recomputes every request's signature from the AWS documentation's
algorithm, independently of libcurl, and answers 403 SignatureDoesNotMatch
(S3's XML) when it differs, or 400 XAmzContentSHA256Mismatch when a signed
payload hash is not the body's; good requests go on to s3rver unchanged and
its answer comes back. Writes its port to PORTFILE, serves until killed.
"""
import hashlib
import hmac
import http.client
import os
import socketserver
import sys
import urllib.parse
from http.server import BaseHTTPRequestHandler

UPSTREAM, KEY, SECRET, PORTFILE = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def enc(s):
    return urllib.parse.quote(s, safe="-_.~")


def canonical_query(raw):
    pairs = []
    for part in raw.split("&") if raw else []:
        k, _, v = part.partition("=")
        pairs.append((enc(urllib.parse.unquote(k)), enc(urllib.parse.unquote(v))))
    return "&".join("%s=%s" % kv for kv in sorted(pairs))


def expected_signature(method, target, headers, payload_hash):
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return None, "no AWS4-HMAC-SHA256 Authorization header"
    fields = dict(f.strip().split("=", 1) for f in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key, date, region, service, _ = fields["Credential"].split("/")
    if key != KEY:
        return None, "unknown access key " + key
    signed = fields["SignedHeaders"].split(";")
    path, _, query = target.partition("?")
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed)
    creq = "\n".join([method, path, canonical_query(query), canon_headers, ";".join(signed), payload_hash])
    scope = "/".join([date, region, service, "aws4_request"])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), scope,
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + SECRET).encode()
    for part in (date, region, service, "aws4_request"):
        k = hmac.new(k, part.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    return (want, fields["Signature"]), None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def error(self, status, code, message):
        body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>%s</Code><Message>%s</Message></Error>"
                % (code, message)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self):
        n = int(self.headers.get("content-length", "0"))
        body = self.rfile.read(n) if n else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        payload_hash = headers.get("x-amz-content-sha256")
        if payload_hash is None:
            return self.error(400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256")
        if payload_hash != "UNSIGNED-PAYLOAD" and payload_hash != hashlib.sha256(body).hexdigest():
            return self.error(400, "XAmzContentSHA256Mismatch",
                              "The provided 'x-amz-content-sha256' header does not match what was computed.")
        sigs, why = expected_signature(self.command, self.path, headers, payload_hash)
        if why:
            return self.error(403, "AccessDenied", why)
        if sigs[0] != sigs[1]:
            return self.error(403, "SignatureDoesNotMatch",
                              "The request signature we calculated does not match the signature you provided. "
                              "Check your key and signing method.")
        conn = http.client.HTTPConnection("127.0.0.1", UPSTREAM, timeout=60)
        fwd = {k: v for k, v in self.headers.items() if k.lower() not in ("expect", "connection")}
        conn.request(self.command, self.path, body=body, headers=fwd)
        resp = conn.getresponse()
        data = resp.read()
        self.send_response(resp.status)
        for k, v in resp.getheaders():
            if k.lower() not in ("content-length", "connection", "transfer-encoding", "keep-alive"):
                self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
        conn.close()

    do_GET = do_PUT = do_HEAD = do_DELETE = do_POST = handle_any


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


if __name__ == "__main__":
    srv = Server(("127.0.0.1", 0), Handler)
    with open(PORTFILE + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(PORTFILE + ".tmp", PORTFILE)
    srv.serve_forever()
