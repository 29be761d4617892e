#!/usr/bin/env python3
"""Compare `triage top` against `go tool pprof -top` on real profiles.

Usage:
  pprof_compare.py --triage BIN [--jobs N] PROFILE_SPEC...
  pprof_compare.py --info FILE        (print sample types, default, #samples)
  pprof_compare.py --stacks FILE      (print the number of distinct stacks)

PROFILE_SPEC is LABEL=KIND:PATH where KIND is heap, allocs, goroutine, cpu,
threadcreate, mutex or block; the kind picks the sample indexes that are
checked. KIND "all" checks the default index and every sample type the file
itself declares (for profiles not written by Go, e.g. tests/other-lang.sh).

For each (profile, sample index) two comparisons run:

  json  `triage top --format json [--sample-index X] FILE` against
        `go tool pprof -top -nodefraction=0 [-sample_index=X] -unit=U FILE`,
        where U is the base unit of the sample type (B for bytes, ns for
        nanoseconds, count otherwise), which makes pprof print every value
        as an exact, unscaled integer ("%.2f" of the value, ".00" trimmed).
        Checked: sample_type, unit, total, and the row list in order
        (name, flat, cum); pprof's " (inline)"/" (partial-inline)" suffix is
        not part of the name.
  text  `triage top [--sample-index X] FILE` against
        `go tool pprof -top -nodefraction=0 [-sample_index=X] FILE`: the
        `Type:` and `Showing nodes accounting for` lines, the column header
        line, and every row line, byte for byte.

For the default index of each profile, --cum (pprof -cum) is checked in both
forms, and `-n 10` (pprof -nodecount=10) in text form.

Prints one PASS/FAIL line per comparison; details of failures follow the
FAIL line. Exits 1 if anything failed.
"""

import concurrent.futures
import gzip
import json
import os
import re
import subprocess
import sys

TIMEOUT = 300

INDEXES = {
    "heap": [None, "inuse_space", "inuse_objects", "alloc_space", "alloc_objects"],
    "allocs": [None],
    "goroutine": [None],
    "cpu": [None, "samples", "cpu"],
    "threadcreate": [None],
    "mutex": [None, "contentions", "delay"],
    "block": [None, "contentions", "delay"],
}

HEADER_RE = re.compile(r"^\s+flat\s+flat%\s+sum%\s+cum\s+cum%\s*$")
ROW_RE = re.compile(
    r"^\s*(?P<flat>\S+)\s+(?P<flatp>\S+%)\s+(?P<sump>\S+%)\s+(?P<cum>\S+)\s+"
    r"(?P<cump>\S+%)  (?P<name>.*)$")
INLINE_RE = re.compile(r" \((?:inline|partial-inline)\)$")
SHOWING_RE = re.compile(
    r"^Showing nodes accounting for (?P<shown>\S+), (?P<pct>\S+) of (?P<total>\S+) total$")
VALUE_RE = re.compile(r"^(?P<num>-?\d+(?:\.\d+)?)(?P<unit>.*)$")


# ---------------------------------------------------------------------------
# Minimal protobuf reading: only what is needed to learn sample types.

def _varint(buf, pos):
    result = 0
    shift = 0
    while True:
        b = buf[pos]
        pos += 1
        result |= (b & 0x7F) << shift
        if b < 0x80:
            return result, pos
        shift += 7


def _fields(buf):
    pos = 0
    n = len(buf)
    while pos < n:
        key, pos = _varint(buf, pos)
        field, wt = key >> 3, key & 7
        if wt == 0:
            val, pos = _varint(buf, pos)
        elif wt == 1:
            val = buf[pos:pos + 8]
            pos += 8
        elif wt == 2:
            ln, pos = _varint(buf, pos)
            val = buf[pos:pos + ln]
            pos += ln
        elif wt == 5:
            val = buf[pos:pos + 4]
            pos += 4
        else:
            raise ValueError("unsupported wire type %d" % wt)
        yield field, wt, val


def read_profile(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def distinct_stacks(path):
    """Number of distinct location-id lists over all samples."""
    stacks = set()
    for field, wt, val in _fields(read_profile(path)):
        if field != 2 or wt != 2:
            continue
        ids = []
        for f2, w2, v2 in _fields(val):
            if f2 != 1:
                continue
            if w2 == 2:  # packed
                pos = 0
                while pos < len(v2):
                    x, pos = _varint(v2, pos)
                    ids.append(x)
            else:
                ids.append(v2)
        stacks.add(tuple(ids))
    return len(stacks)


def profile_info(path):
    """Return (sample_types [(type, unit)], default_type, n_samples)."""
    data = read_profile(path)
    strings = []
    vts = []
    default_idx = 0
    n_samples = 0
    for field, wt, val in _fields(data):
        if field == 1 and wt == 2:
            t = u = 0
            for f2, _, v2 in _fields(val):
                if f2 == 1:
                    t = v2
                elif f2 == 2:
                    u = v2
            vts.append((t, u))
        elif field == 2:
            n_samples += 1
        elif field == 6 and wt == 2:
            strings.append(val.decode("utf-8", "replace"))
        elif field == 14 and wt == 0:
            default_idx = val
    types = [(strings[t], strings[u]) for t, u in vts]
    default = types[-1][0] if types else None
    if default_idx:
        default = strings[default_idx]
    return types, default, n_samples


def pprof_unit(unit):
    """The -unit value that makes pprof print unscaled integers, and the
    suffix pprof then appends to every value."""
    u = unit.lower()
    if u in ("bytes", "byte", "b"):
        return "B", "B"
    if u in ("nanoseconds", "nanosecond", "ns"):
        return "ns", "ns"
    if u in ("count", "sample", "unit", ""):
        return "count", ""
    return unit, unit  # unknown unit: pprof leaves the value alone


# ---------------------------------------------------------------------------

def run(cmd):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, "timed out after %ds" % TIMEOUT
    if p.returncode != 0:
        err = p.stderr.decode("utf-8", "replace").strip().splitlines()
        return None, "exit %d: %s" % (p.returncode, err[0] if err else "")
    return p.stdout.decode("utf-8", "replace"), None


def split_report(text):
    """Split a -top style report into (header lines, column line, rows)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for i, line in enumerate(lines):
        if HEADER_RE.match(line):
            return lines[:i], line, lines[i + 1:]
    return lines, None, []


def parse_value(s, suffix):
    if s == "0":
        return 0
    m = VALUE_RE.match(s)
    if not m or "." in m.group("num") or m.group("unit") != suffix:
        raise ValueError("not an exact value with unit %r: %r" % (suffix, s))
    return int(m.group("num"))


def parse_pprof_exact(text, suffix):
    header, col, rows = split_report(text)
    typ = None
    total = None
    for h in header:
        if h.startswith("Type: "):
            typ = h[len("Type: "):]
        m = SHOWING_RE.match(h)
        if m:
            total = parse_value(m.group("total"), suffix)
    if col is None or total is None:
        raise ValueError("unexpected pprof output:\n" + text[:2000])
    out = []
    for r in rows:
        m = ROW_RE.match(r)
        if not m:
            raise ValueError("unparsable pprof row: %r" % r)
        out.append((INLINE_RE.sub("", m.group("name")),
                    parse_value(m.group("flat"), suffix),
                    parse_value(m.group("cum"), suffix)))
    return typ, total, out


def fmt_row(r):
    if r is None:
        return "(none)"
    return "%s flat=%d cum=%d" % r


def diff_rows(exp, got, limit=5):
    msgs = []
    n = max(len(exp), len(got))
    shown = 0
    for i in range(n):
        e = exp[i] if i < len(exp) else None
        g = got[i] if i < len(got) else None
        if e != g:
            msgs.append("    row %d: expected %s\n    row %d:      got %s"
                        % (i + 1, fmt_row(e), i + 1, fmt_row(g)))
            shown += 1
            if shown >= limit:
                break
    # Set-level summary helps tell ordering problems from value problems.
    es, gs = sorted(exp), sorted(got)
    if es == gs:
        msgs.append("    (same rows, different order)")
    else:
        en = {r[0] for r in exp}
        gn = {r[0] for r in got}
        missing = sorted(en - gn)
        extra = sorted(gn - en)
        if missing:
            msgs.append("    missing %d names, e.g. %s" % (len(missing), ", ".join(missing[:5])))
        if extra:
            msgs.append("    extra %d names, e.g. %s" % (len(extra), ", ".join(extra[:5])))
        valdiff = [(e, dict((r[0], r) for r in got).get(e[0])) for e in exp
                   if e[0] in gn and e not in got]
        if valdiff:
            msgs.append("    %d rows with different values, e.g. expected %s got %s"
                        % (len(valdiff), fmt_row(valdiff[0][0]), fmt_row(valdiff[0][1])))
    msgs.append("    rows: expected %d, got %d" % (len(exp), len(got)))
    return msgs


def cmp_json(triage, path, types, default, index, cum):
    tname = index or default
    unit = dict(types).get(tname)
    if unit is None:
        return ["sample type %r not in profile %s" % (tname, types)]
    uflag, suffix = pprof_unit(unit)
    pcmd = ["go", "tool", "pprof", "-top", "-nodefraction=0", "-unit=" + uflag]
    tcmd = [triage, "top", "--format", "json"]
    if index:
        pcmd.append("-sample_index=" + index)
        tcmd += ["--sample-index", index]
    if cum:
        pcmd.append("-cum")
        tcmd.append("--cum")
    pcmd.append(path)
    tcmd.append(path)
    ptxt, err = run(pcmd)
    if err:
        return ["pprof failed: " + err]
    try:
        ptype, ptotal, prows = parse_pprof_exact(ptxt, suffix)
    except ValueError as e:
        return ["cannot parse pprof output: %s" % e]
    ttxt, err = run(tcmd)
    if err:
        return ["triage failed: " + err]
    try:
        tj = json.loads(ttxt)
        trows = [(r["name"], r["flat"], r["cum"]) for r in tj["rows"]]
    except (ValueError, KeyError, TypeError) as e:
        return ["bad triage json (%s): %r" % (e, ttxt[:300])]
    msgs = []
    if tj.get("sample_type") != ptype:
        msgs.append("    sample_type: expected %r, got %r" % (ptype, tj.get("sample_type")))
    if tj.get("unit") != unit:
        msgs.append("    unit: expected %r, got %r" % (unit, tj.get("unit")))
    if tj.get("total") != ptotal:
        msgs.append("    total: expected %r, got %r" % (ptotal, tj.get("total")))
    for r in trows:
        if not all(isinstance(v, int) for v in r[1:]):
            msgs.append("    non-integer values in row %r" % (r,))
            break
    if trows != prows:
        msgs += diff_rows(prows, trows)
    return msgs


def cmp_text(triage, path, index, cum, count):
    pcmd = ["go", "tool", "pprof", "-top", "-nodefraction=0"]
    tcmd = [triage, "top"]
    if index:
        pcmd.append("-sample_index=" + index)
        tcmd += ["--sample-index", index]
    if cum:
        pcmd.append("-cum")
        tcmd.append("--cum")
    if count:
        pcmd.append("-nodecount=%d" % count)
        tcmd += ["-n", str(count)]
    pcmd.append(path)
    tcmd.append(path)
    ptxt, err = run(pcmd)
    if err:
        return ["pprof failed: " + err]
    ttxt, err = run(tcmd)
    if err:
        return ["triage failed: " + err]
    ph, pcol, prows = split_report(ptxt)
    th, tcol, trows = split_report(ttxt)
    msgs = []
    for prefix in ("Type:", "Showing nodes accounting for", "Showing top"):
        pl = [h for h in ph if h.startswith(prefix)]
        tl = [h for h in th if h.startswith(prefix)]
        if pl != tl:
            msgs.append("    header %r: expected %r, got %r" % (prefix, pl, tl))
    if pcol != tcol:
        msgs.append("    column line: expected %r, got %r" % (pcol, tcol))
    if prows != trows:
        shown = 0
        for i in range(max(len(prows), len(trows))):
            e = prows[i] if i < len(prows) else "(none)"
            g = trows[i] if i < len(trows) else "(none)"
            if e != g:
                msgs.append("    row %d: expected %r\n    row %d:      got %r" % (i + 1, e, i + 1, g))
                shown += 1
                if shown >= 5:
                    break
        msgs.append("    rows: expected %d, got %d" % (len(prows), len(trows)))
    return msgs


def main(argv):
    args = argv[1:]
    if len(args) == 2 and args[0] == "--info":
        types, default, n = profile_info(args[1])
        print(json.dumps({"sample_types": types, "default": default, "samples": n}))
        return 0
    if len(args) == 2 and args[0] == "--stacks":
        print(distinct_stacks(args[1]))
        return 0
    triage = None
    jobs = 2
    specs = []
    while args:
        a = args.pop(0)
        if a == "--triage":
            triage = args.pop(0)
        elif a == "--jobs":
            jobs = int(args.pop(0))
        else:
            specs.append(a)
    if not triage or not specs:
        print(__doc__, file=sys.stderr)
        return 2

    checks = []  # (description, callable)
    for spec in specs:
        label, _, rest = spec.partition("=")
        kind, _, path = rest.partition(":")
        if (kind not in INDEXES and kind != "all") or not os.path.exists(path):
            print("bad profile spec %r" % spec, file=sys.stderr)
            return 2
        types, default, _ = profile_info(path)
        if kind == "all":
            indexes = [None] + [t for t, _ in types]
        else:
            indexes = INDEXES[kind]
        for index in indexes:
            iname = index or "default(%s)" % default
            checks.append(("%s %s json" % (label, iname),
                           lambda p=path, t=types, d=default, i=index:
                           cmp_json(triage, p, t, d, i, False)))
            checks.append(("%s %s text" % (label, iname),
                           lambda p=path, i=index: cmp_text(triage, p, i, False, 0)))
        iname = "default(%s)" % default
        checks.append(("%s %s json --cum" % (label, iname),
                       lambda p=path, t=types, d=default: cmp_json(triage, p, t, d, None, True)))
        checks.append(("%s %s text --cum" % (label, iname),
                       lambda p=path: cmp_text(triage, p, None, True, 0)))
        checks.append(("%s %s text -n 10" % (label, iname),
                       lambda p=path: cmp_text(triage, p, None, False, 10)))

    failed = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        futures = [ex.submit(fn) for _, fn in checks]
        for (desc, _), fut in zip(checks, futures):
            try:
                msgs = fut.result()
            except Exception as e:  # a bug here must not look like a pass
                msgs = ["internal error: %r" % e]
            if msgs:
                failed += 1
                print("FAIL %s" % desc)
                for m in msgs:
                    print(m if m.startswith("    ") else "    " + m)
            else:
                print("PASS %s" % desc)
            sys.stdout.flush()
    print("%d comparisons, %d passed, %d failed" % (len(checks), len(checks) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
