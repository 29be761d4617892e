#!/usr/bin/env python3
"""Writes a small gzip pprof profile that inflates hundreds of times, or decodes
to many times its size (issue 17):
   amplified-profile.py types FILE        8000 sample types, 12000 samples of zero values
   amplified-profile.py string FILE       one 200 MiB string in the string table
   amplified-profile.py locations FILE    1M locations of one line each, distinct ids (a valid profile)
   amplified-profile.py empty-locations FILE   1M empty location messages (id 0), 2 KB
   amplified-profile.py dup-locations FILE     16M copies of location id 2, 62 KB
   amplified-profile.py lines FILE        one location of 16M empty lines, 31 KB
   amplified-profile.py line-locations FILE    300 locations of 100k empty lines each, 60 KB
   amplified-profile.py nested FILE       a valid profile gzipped 6 times
   amplified-profile.py nested-bomb FILE  256 MiB of zeros gzipped 3 times"""
import gzip, sys, zlib
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
# one sample type, one sample of value 1 at location 1 (one line: function 1, "main")
st = field(1, vfield(1, 1) + vfield(2, 2))
sample1 = field(2, field(1, varint(1)) + field(2, varint(1)))
loc1 = field(4, vfield(1, 1) + field(4, vfield(1, 1)))
fn1 = field(5, vfield(1, 1) + vfield(2, 3))
if kind == "types":
    ntypes, nsamples = 8000, 12000
    st = b"".join(field(1, vfield(1, 1) + vfield(2, 2)) for _ in range(ntypes))
    loc = field(4, vfield(1, 1) + field(4, vfield(1, 1)))
    fn = field(5, vfield(1, 1) + vfield(2, 3))
    sample = field(2, field(1, varint(1)) + field(2, b"\x00" * ntypes))
    body = st + b"".join([sample] * nsamples) + loc + fn
elif kind == "string":
    big = b"x" * (200 << 20)
    st = field(1, vfield(1, 1) + vfield(2, 2))
    body = st + field(2, field(1, varint(1)) + field(2, varint(1))) + field(4, vfield(1, 1) + field(4, vfield(1, 1))) + field(5, vfield(1, 1) + vfield(2, 3))
    strings.append(big)
elif kind == "locations":
    line = field(4, vfield(1, 1))
    body = st + sample1 + b"".join(field(4, vfield(1, i) + line) for i in range(1, 1000001)) + fn1
elif kind == "empty-locations":
    body = st + sample1 + loc1 + field(4, b"") * 1000000 + fn1
elif kind == "dup-locations":
    body = st + sample1 + loc1 + field(4, vfield(1, 2)) * 16000000 + fn1
elif kind == "lines":
    body = st + sample1 + loc1 + field(4, vfield(1, 2) + field(4, b"") * 16000000) + fn1
elif kind == "line-locations":
    lines = field(4, b"") * 100000
    body = st + sample1 + loc1 + b"".join(field(4, vfield(1, i) + lines) for i in range(2, 302)) + fn1
elif kind == "nested":
    data = gzip.compress(st + sample1 + loc1 + fn1 + b"".join(field(6, s) for s in strings))
    for _ in range(5):
        data = gzip.compress(data)
    open(path, "wb").write(data)
    sys.exit(0)
elif kind == "nested-bomb":
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = bytes(1 << 20)
    data = b"".join(z.compress(chunk) for _ in range(256)) + z.flush()
    for _ in range(2):
        data = gzip.compress(data, 9)
    open(path, "wb").write(data)
    sys.exit(0)
else:
    sys.exit("amplified-profile.py: unknown kind " + kind)
body += b"".join(field(6, s) for s in strings)
open(path, "wb").write(gzip.compress(body, 6))
