#!/usr/bin/env python3
"""A small ELF file laid out as the goroutine census expects a Go binary:
DWARF with a unit named "runtime" holding runtime.g, runtime.gobuf,
runtime.stack and the variables runtime.allgs and runtime.waitReasonStrings
(with its array type), and a symbol table with a few functions.

A fixture for what a real Go binary does not vary: DWARF version 4 or 5,
.debug_info plain, SHF_COMPRESSED (zlib) or the older .zdebug_info form,
units before and after the runtime's, a 64-bit DWARF unit. tests/census.sh
runs the census on real Go binaries; unit-census reads these and checks
the offsets; the fuzz harness starts from them.

  mini-go-elf.py OUT [--version 4|5] [--compress none|shf|zdebug] [--dwarf64]
"""
import argparse
import struct
import zlib

# what unit-census expects back
G = {"stack": 0, "sched": 56, "atomicstatus": 144, "goid": 152, "waitsince": 168,
     "waitreason": 176, "lockedm": 232, "gopc": 296, "startpc": 312}
GOBUF = {"sp": 0, "pc": 8, "bp": 48}
STACK = {"lo": 0, "hi": 8}
ALLGS = 0x91eb80
WAIT_REASONS = 0x58da40
FUNCS = [(0x401000, 0x100, "runtime.gopark"), (0x402000, 0x80, "main.worker"),
         (0x403000, 0x10, "runtime.goexit.abi0")]


def uleb(v):
    out = bytearray()
    while True:
        b = v & 0x7F
        v >>= 7
        out.append(b | (0x80 if v else 0))
        if not v:
            return bytes(out)


def cstr(s):
    return s.encode() + b"\0"


# abbreviations: 1 unit, 2 struct, 3 member, 4 variable, 5 array type, 6 subrange, 7 typedef
ABBREV = b"".join([
    uleb(1) + uleb(0x11) + b"\x01" + uleb(0x03) + uleb(0x08) + uleb(0x13) + uleb(0x0b) + b"\0\0",
    uleb(2) + uleb(0x13) + b"\x01" + uleb(0x03) + uleb(0x08) + uleb(0x0b) + uleb(0x0f) + b"\0\0",
    uleb(3) + uleb(0x0d) + b"\x00" + uleb(0x03) + uleb(0x08) + uleb(0x38) + uleb(0x0f) + uleb(0x49) + uleb(0x10) + b"\0\0",
    uleb(4) + uleb(0x34) + b"\x00" + uleb(0x03) + uleb(0x08) + uleb(0x02) + uleb(0x0a) + uleb(0x49) + uleb(0x10) + b"\0\0",
    uleb(5) + uleb(0x01) + b"\x01" + uleb(0x03) + uleb(0x08) + b"\0\0",
    uleb(6) + uleb(0x21) + b"\x00" + uleb(0x37) + uleb(0x0b) + b"\0\0",
    uleb(7) + uleb(0x16) + b"\x00" + uleb(0x03) + uleb(0x08) + uleb(0x49) + uleb(0x10) + b"\0\0",
]) + b"\0"


def unit(name, body_fn, version, dwarf64, start):
    """One unit at section offset start; body_fn(body_start, refsize) -> bytes of its entries."""
    offsize = 8 if dwarf64 else 4
    if version == 5:
        header = struct.pack("<HBB", 5, 1, 8) + (struct.pack("<Q", 0) if dwarf64 else struct.pack("<I", 0))
    else:
        header = struct.pack("<H", version) + (struct.pack("<Q", 0) if dwarf64 else struct.pack("<I", 0)) + b"\x08"
    initial = 12 if dwarf64 else 4
    body_start = start + initial + len(header)
    body = uleb(1) + cstr(name) + uleb(0x16) + body_fn(body_start, offsize) + b"\0"
    length = len(header) + len(body)
    lead = (b"\xff\xff\xff\xff" + struct.pack("<Q", length)) if dwarf64 else struct.pack("<I", length)
    return lead + header + body


def runtime_entries(body_start, refsize):
    pack_ref = (lambda v: struct.pack("<Q", v)) if refsize == 8 else (lambda v: struct.pack("<I", v))
    out = bytearray()
    here = lambda: body_start + len(uleb(1) + cstr("runtime") + uleb(0x16)) + len(out)

    def struct_(name, size, members):
        out.extend(uleb(2) + cstr(name) + uleb(size))
        for m, off in members.items():
            out.extend(uleb(3) + cstr(m) + uleb(off) + pack_ref(0))
        out.extend(b"\0")

    # a struct before the ones wanted, with a member the census does not read
    struct_("runtime.m", 16, {"id": 0})
    struct_("runtime.g", 400, G)
    out.extend(uleb(7) + cstr("runtime.gobuf") + pack_ref(0))
    struct_("runtime.gobuf", 56, GOBUF)
    struct_("runtime.stack", 16, STACK)
    array_off = here()
    out.extend(uleb(5) + cstr("[27]string") + uleb(6) + bytes([27]) + b"\0")
    out.extend(uleb(4) + cstr("runtime.allgs") + bytes([9, 0x03]) + struct.pack("<Q", ALLGS) + pack_ref(0))
    out.extend(uleb(4) + cstr("runtime.waitReasonStrings") + bytes([9, 0x03]) + struct.pack("<Q", WAIT_REASONS)
               + pack_ref(array_off))
    return bytes(out)


def info_section(version, dwarf64):
    sec = bytearray()
    sec += unit("main", lambda b, r: uleb(2) + cstr("main.T") + uleb(8) + b"\0", version, dwarf64, len(sec))
    sec += unit("runtime", runtime_entries, version, dwarf64, len(sec))
    sec += unit("sync", lambda b, r: b"", version, dwarf64, len(sec))
    return bytes(sec)


def elf(sections):
    """sections: list of (name, type, flags, data, link, entsize); returns the ELF64 file."""
    shstr = bytearray(b"\0")
    names = []
    for s in sections:
        names.append(len(shstr))
        shstr += cstr(s[0])
    names.append(len(shstr))
    shstr += cstr(".shstrtab")
    body = bytearray()
    offs = []
    for s in sections:
        offs.append(64 + 56 + len(body))
        body += s[3]
        body += b"\0" * (-len(body) % 8)
    shstr_off = 64 + 56 + len(body)
    body += shstr
    body += b"\0" * (-len(body) % 8)
    shoff = 64 + 56 + len(body)
    shnum = len(sections) + 2
    eh = b"\x7fELF" + bytes([2, 1, 1, 0]) + b"\0" * 8
    eh += struct.pack("<HHIQQQIHHHHHH", 2, 62, 1, 0x401000, 64, shoff, 0, 64, 56, 1, 64, shnum, shnum - 1)
    ph = struct.pack("<IIQQQQQQ", 1, 5, 0, 0x400000, 0x400000, 0x1000, 0x1000, 0x1000)
    sh = b"\0" * 64
    for i, s in enumerate(sections):
        sh += struct.pack("<IIQQQQIIQQ", names[i], s[1], s[2], 0, offs[i], len(s[3]), s[4], 0, 8, s[5])
    sh += struct.pack("<IIQQQQIIQQ", names[-1], 3, 0, 0, shstr_off, len(shstr), 0, 0, 1, 0)
    return eh + ph + bytes(body) + sh


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--version", type=int, default=4, choices=(4, 5))
    ap.add_argument("--compress", default="none", choices=("none", "shf", "zdebug"))
    ap.add_argument("--dwarf64", action="store_true")
    a = ap.parse_args()
    info = info_section(a.version, a.dwarf64)
    info_name, info_flags = ".debug_info", 0
    if a.compress == "shf":
        info = struct.pack("<IIQQ", 1, 0, len(info), 1) + zlib.compress(info)
        info_flags = 0x800
    elif a.compress == "zdebug":
        info = b"ZLIB" + struct.pack(">Q", len(info)) + zlib.compress(info)
        info_name = ".zdebug_info"
    strtab = bytearray(b"\0")
    syms = b"\0" * 24
    for addr, size, name in FUNCS:
        syms += struct.pack("<IBBHQQ", len(strtab), 0x12, 0, 1, addr, size)
        strtab += cstr(name)
    # section 1 abbrev, 2 info, 3 symtab (link 4), 4 strtab
    secs = [(".debug_abbrev", 1, 0, ABBREV, 0, 0), (info_name, 1, info_flags, info, 0, 0),
            (".symtab", 2, 0, syms, 4, 24), (".strtab", 3, 0, bytes(strtab), 0, 0)]
    open(a.out, "wb").write(elf(secs))


if __name__ == "__main__":
    main()
