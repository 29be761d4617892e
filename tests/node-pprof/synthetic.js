'use strict';
// SYNTHETIC profiles: hand-built with the pure-JS pprof-format encoder to
// mimic what a C++ profiler (perf_to_profile, gperftools and the like)
// writes. Nothing here was measured; the values are made up, the layout is
// the point:
//   - mangled names: name == system_name == "_ZN...", name empty with only
//     a mangled system_name, demangled name with a mangled system_name, and
//     already-demangled names with parameters and templates;
//   - four mappings: the main binary (symbolized), a shared library that is
//     only partly symbolized (some locations without any Line), libc
//     (unsymbolized: addresses only), and [vdso];
//   - a location with an address and no mapping (JIT code);
//   - inline frames (a location with two Line entries);
//   - sparse ids: functions 1000, 5000, 9001.., locations 1000001..;
//   - recursion, the same stack in two samples, a sample with a zero value,
//     labels, and a default_sample_type that is not the last type;
//   - the heap profile also sets drop_frames/keep_frames, as C++ heap
//     profilers do for their allocator frames.
// Writes OUTDIR/cxx-synthetic-cpu.pb.gz and OUTDIR/cxx-synthetic-heap.pb.gz.
// Usage: node synthetic.js OUTDIR
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const pf = require('pprof-format');

function builder() {
  const st = new pf.StringTable();
  const s = (x) => st.dedup(x);
  const mappings = [
    new pf.Mapping({
      id: 1,
      memoryStart: 0x400000,
      memoryLimit: 0x900000,
      fileOffset: 0,
      filename: s('/opt/synthetic/bin/server'),
      buildId: s('5f0c8a8e2b7d4c1e9a0b3c6d7e8f9a0b1c2d3e4f'),
      hasFunctions: true,
      hasFilenames: true,
      hasLineNumbers: true,
      hasInlineFrames: true,
    }),
    new pf.Mapping({
      id: 2,
      memoryStart: 0x7f3a00000000n,
      memoryLimit: 0x7f3a00100000n,
      fileOffset: 0,
      filename: s('/opt/synthetic/lib/libz-synth.so.1'),
    }),
    new pf.Mapping({
      id: 3,
      memoryStart: 0x7ffd12345000n,
      memoryLimit: 0x7ffd12347000n,
      fileOffset: 0,
      filename: s('[vdso]'),
    }),
    new pf.Mapping({
      id: 4,
      memoryStart: 0x7f3b00000000n,
      memoryLimit: 0x7f3b00200000n,
      fileOffset: 0x28000,
      filename: s('/opt/synthetic/lib/libc-synth.so.6'),
      buildId: s('0a1b2c3d'),
    }),
  ];

  const fnDefs = [
    // [id, name, system_name, file, start line]
    [1000, 'main', 'main', '/src/server/main.cc', 30],
    [5000, '_ZN6server7Handler6handleERKNS_7RequestE', '_ZN6server7Handler6handleERKNS_7RequestE', '/src/server/handler.cc', 55],
    [5001, '', '_ZNSt6vectorIiSaIiEE9push_backERKi', '/usr/include/c++/12/bits/stl_vector.h', 1180],
    [7000, 'server::Pool<Conn>::get(int)', '_ZN6server4PoolI4ConnE3getEi', '/src/server/pool.h', 30],
    [7001, 'std::map<int, int>::find(int const&) const', 'std::map<int, int>::find(int const&) const', '/usr/include/c++/12/bits/stl_map.h', 1200],
    [9001, '_Znwm', '_Znwm', '', 0],
    [9002, 'compress_block', 'compress_block', '/src/zlib/deflate.c', 900],
    [9003, 'util::hash(std::string const&)', 'util::hash(std::string const&)', '/src/util/hash.cc', 10],
    [9004, 'util::hash(char const*, unsigned long)', 'util::hash(char const*, unsigned long)', '/src/util/hash_legacy.cc', 10],
    [9005, 'server::Handler::parse()', '_ZN6server7Handler5parseEv', '/src/server/handler.cc', 110],
    [9006, 'server::Worker::run()', 'server::Worker::run()', '/src/server/worker.cc', 80],
    [9007, 'malloc', 'malloc', '', 0],
    [9008, '_ZN8tcmalloc10tc_new_oomEm', '_ZN8tcmalloc10tc_new_oomEm', '/src/tcmalloc/tcmalloc.cc', 300],
    [9009, 'tc_keep_me', 'tc_keep_me', '/src/tcmalloc/tcmalloc.cc', 400],
  ];
  const functions = fnDefs.map(
    ([id, name, sys, file, start]) =>
      new pf.Function({ id, name: s(name), systemName: s(sys), filename: s(file), startLine: start }),
  );

  const loc = (id, mappingId, address, lines) =>
    new pf.Location({
      id,
      mappingId,
      address,
      line: lines.map(([functionId, line]) => new pf.Line({ functionId, line })),
    });
  const L = {
    main: loc(1000001, 1, 0x401a20, [[1000, 42]]),
    run: loc(1000005, 1, 0x402b10, [[9006, 88]]),
    handleInl: loc(1000009, 1, 0x403c44, [[9005, 120], [5000, 61]]), // parse inlined into handle
    handle: loc(1000013, 1, 0x403d00, [[5000, 67]]),
    push: loc(1000017, 1, 0x404e10, [[5001, 1187]]),
    poolGet: loc(1000021, 1, 0x405000, [[7000, 33]]),
    mapFind: loc(1000025, 1, 0x405400, [[7001, 1210]]),
    opNew: loc(1000029, 1, 0x406000, [[9001, 0]]),
    hash1: loc(1000033, 1, 0x407100, [[9003, 12]]),
    hash2: loc(1000037, 1, 0x407900, [[9004, 15]]),
    tcNew: loc(1000041, 1, 0x408200, [[9008, 310]]),
    tcKeep: loc(1000045, 1, 0x408400, [[9009, 410]]),
    libz1: loc(2000001, 2, 0x7f3a00012340n, []),
    libz2: loc(2000005, 2, 0x7f3a00012ab0n, [[9002, 933]]),
    libz3: loc(2000009, 2, 0x7f3a00013000n, []),
    libcMemcpy: loc(3000001, 4, 0x7f3b000891f0n, []),
    libcStart: loc(3000002, 4, 0x7f3b00029d90n, []),
    libcMalloc: loc(3000003, 4, 0x7f3b000a0120n, [[9007, 0]]),
    vdso: loc(4000001, 3, 0x7ffd12345a10n, []),
    jit: loc(5000001, 0, 0x3a5c0001f00n, []),
  };
  return { st, s, mappings, functions, L };
}

function sample(locs, value, labels) {
  return new pf.Sample({
    locationId: locs.map((l) => l.id),
    value,
    label: (labels || []).map((l) => new pf.Label(l)),
  });
}

function cpuProfile() {
  const { st, s, mappings, functions, L } = builder();
  const base = [L.run, L.main, L.libcStart];
  const ms = 10000000; // ns per sample at 100 Hz
  const stacks = [
    [[L.libz1, L.libz2, L.handle, ...base], 120],
    [[L.libz3, L.libz2, L.handle, ...base], 45],
    [[L.libz2, L.handle, ...base], 30],
    [[L.handleInl, ...base], 300],
    [[L.handleInl, L.handle, ...base], 12],
    [[L.push, L.handle, ...base], 80],
    [[L.opNew, L.push, L.handle, ...base], 25],
    [[L.libcMemcpy, L.opNew, L.poolGet, ...base], 60],
    [[L.vdso, ...base], 18],
    [[L.hash1, L.mapFind, L.mapFind, L.mapFind, L.poolGet, ...base], 70],
    [[L.mapFind, L.mapFind, L.poolGet, ...base], 33],
    [[L.hash2, L.handle, ...base], 22],
    [[L.jit, L.run, ...base.slice(1)], 15],
    [[L.libcMemcpy], 4], // a stack with no caller frames (truncated unwind)
    [[L.handleInl, ...base], 7], // the same stack again, in its own sample
  ];
  const samples = stacks.map(([locs, n], i) =>
    sample(locs, [n, n * ms + (i % 3) * 1234567], [{ key: s('thread'), str: s(i % 2 ? 'worker-1' : 'worker-2') }]),
  );
  samples.push(sample([L.main, L.libcStart], [1, 0])); // a sample with zero CPU time
  return new pf.Profile({
    sampleType: [
      new pf.ValueType({ type: s('samples'), unit: s('count') }),
      new pf.ValueType({ type: s('cpu'), unit: s('nanoseconds') }),
    ],
    sample: samples,
    mapping: mappings,
    location: Object.values(L),
    function: functions,
    stringTable: st,
    timeNanos: 1700000000000000000n,
    durationNanos: 10000000000,
    periodType: new pf.ValueType({ type: s('cpu'), unit: s('nanoseconds') }),
    period: ms,
    comment: [s('synthetic profile written by tests/node-pprof/synthetic.js')],
    defaultSampleType: s('samples'),
  });
}

function heapProfile() {
  const { st, s, mappings, functions, L } = builder();
  const base = [L.run, L.main, L.libcStart];
  const stacks = [
    // [locations, allocated objects, allocated bytes, live objects, live bytes]
    [[L.libcMalloc, L.tcNew, L.opNew, L.push, L.handle, ...base], 4000, 4000 * 64, 1000, 1000 * 64],
    [[L.libcMalloc, L.tcNew, L.opNew, L.poolGet, ...base], 300, 300 * 4096, 280, 280 * 4096],
    [[L.libcMalloc, L.tcKeep, L.opNew, L.mapFind, L.poolGet, ...base], 900, 900 * 48, 0, 0],
    [[L.libcMalloc, L.libz2, L.handle, ...base], 64, 64 * 65536, 2, 2 * 65536],
    [[L.libcMalloc, L.libz1, L.handle, ...base], 10, 10 * 1024, 10, 10 * 1024],
    [[L.libcMalloc, L.handleInl, ...base], 120, 120 * 256, 40, 40 * 256],
    [[L.libcMalloc, L.jit, L.run, ...base.slice(1)], 33, 33 * 128, 33, 33 * 128],
    [[L.libcMalloc, L.tcNew], 5, 5 * 32, 5, 5 * 32], // only allocator frames
  ];
  const samples = stacks.map(([locs, ao, ab, io, ib]) => sample(locs, [ao, ab, io, ib]));
  return new pf.Profile({
    sampleType: [
      new pf.ValueType({ type: s('alloc_objects'), unit: s('count') }),
      new pf.ValueType({ type: s('alloc_space'), unit: s('bytes') }),
      new pf.ValueType({ type: s('inuse_objects'), unit: s('count') }),
      new pf.ValueType({ type: s('inuse_space'), unit: s('bytes') }),
    ],
    sample: samples,
    mapping: mappings,
    location: Object.values(L),
    function: functions,
    stringTable: st,
    dropFrames: s('malloc|operator new.*|tcmalloc::.*'),
    keepFrames: s('tc_keep_me'),
    timeNanos: 1700000000000000000n,
    periodType: new pf.ValueType({ type: s('space'), unit: s('bytes') }),
    period: 524288,
    comment: [s('synthetic profile written by tests/node-pprof/synthetic.js')],
  });
}

const out = process.argv[2];
if (!out) {
  console.error('usage: node synthetic.js OUTDIR');
  process.exit(2);
}
fs.writeFileSync(path.join(out, 'cxx-synthetic-cpu.pb.gz'), zlib.gzipSync(cpuProfile().encode()));
fs.writeFileSync(path.join(out, 'cxx-synthetic-heap.pb.gz'), zlib.gzipSync(heapProfile().encode()));
