'use strict';
// Profiles the real Node.js workload (workload.js) with V8's own CPU
// profiler through the inspector protocol (Profiler.start/stop), and
// converts the result to pprof with the pure-JS pprof-format encoder, laid
// out the way a native profiler that sees both JIT and native frames would
// write it:
//   mapping 1  the node executable (native frames; marked as having
//              functions so that pprof does not try to symbolize it)
//   mapping 2  "[v8 jit]", the JavaScript frames, one location (with its
//              own address) per call-tree node, lines from the call frames
//   native V8 builtins (no script URL) have a function but no file name;
//   "(program)" and "(garbage collector)" are locations in mapping 1 with an
//   address and no Line at all (unsymbolized); "(idle)" is a location with
//   neither mapping, address nor line.
// Sample types: samples/count and wall/nanoseconds (from the profiler's time
// deltas); the period is the sampling interval.
// Writes OUTDIR/node-inspector-cpu.pb.gz.
// Usage: node inspector.js OUTDIR [BUDGET_MS]
const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const inspector = require('inspector');
const pf = require('pprof-format');
const workload = require('./workload');

const INTERVAL_US = 500;

function post(session, method, params) {
  return new Promise((resolve, reject) => {
    session.post(method, params || {}, (err, res) => (err ? reject(err) : resolve(res)));
  });
}

function convert(cpu, execPath) {
  const st = new pf.StringTable();
  const byId = new Map();
  const parent = new Map();
  for (const n of cpu.nodes) {
    byId.set(n.id, n);
    for (const c of n.children || []) parent.set(c, n.id);
  }

  const mappings = [
    new pf.Mapping({
      id: 1,
      memoryStart: 0x400000,
      memoryLimit: 0x5000000,
      fileOffset: 0,
      filename: st.dedup(execPath),
      hasFunctions: true,
    }),
    new pf.Mapping({
      id: 2,
      memoryStart: 0x3f0000000000n,
      memoryLimit: 0x3f0010000000n,
      fileOffset: 0,
      filename: st.dedup('[v8 jit]'),
      hasFunctions: true,
      hasFilenames: true,
      hasLineNumbers: true,
    }),
  ];

  const functions = new Map(); // key -> Function
  function functionFor(frame) {
    const name = frame.functionName || '(anonymous)';
    const key = name + '\0' + frame.url + '\0' + frame.lineNumber;
    let f = functions.get(key);
    if (!f) {
      f = new pf.Function({
        id: 100 + functions.size * 3, // not dense, not equal to location ids
        name: st.dedup(name),
        systemName: st.dedup(name),
        filename: st.dedup(frame.url || ''),
        startLine: frame.lineNumber + 1,
      });
      functions.set(key, f);
    }
    return f;
  }

  const locations = new Map(); // node id -> Location (null: skipped)
  let nativeAddr = 0x4a0000;
  function locationFor(id) {
    if (locations.has(id)) return locations.get(id);
    const n = byId.get(id);
    const fr = n.callFrame;
    let loc = null;
    if (fr.functionName === '(root)') {
      loc = null;
    } else if (fr.functionName === '(idle)') {
      loc = new pf.Location({ id: 1 + locations.size });
    } else if (fr.functionName === '(program)' || fr.functionName === '(garbage collector)') {
      nativeAddr += 0x1f0;
      loc = new pf.Location({ id: 1 + locations.size, mappingId: 1, address: nativeAddr });
    } else if (!fr.url) {
      nativeAddr += 0x1f0;
      const f = functionFor(fr);
      loc = new pf.Location({
        id: 1 + locations.size,
        mappingId: 1,
        address: nativeAddr,
        line: [new pf.Line({ functionId: f.id, line: 0 })],
      });
    } else {
      const f = functionFor(fr);
      loc = new pf.Location({
        id: 1 + locations.size,
        mappingId: 2,
        address: 0x3f0000000000n + BigInt(id) * 0x40n,
        line: [new pf.Line({ functionId: f.id, line: fr.lineNumber + 1 })],
      });
    }
    locations.set(id, loc);
    return loc;
  }

  // Aggregate per leaf node: [count, wall ns].
  const perLeaf = new Map();
  const deltas = cpu.timeDeltas || [];
  for (let i = 0; i < cpu.samples.length; i++) {
    const leaf = cpu.samples[i];
    // timeDeltas[i+1] is the time from sample i to the next one.
    const next = i + 1 < deltas.length ? deltas[i + 1] : INTERVAL_US;
    const v = perLeaf.get(leaf) || [0, 0];
    v[0] += 1;
    v[1] += Math.max(0, next) * 1000;
    perLeaf.set(leaf, v);
  }
  const samples = [];
  for (const [leaf, v] of perLeaf) {
    const ids = [];
    for (let id = leaf; id !== undefined; id = parent.get(id)) {
      const loc = locationFor(id);
      if (loc) ids.push(loc.id);
    }
    if (ids.length) samples.push(new pf.Sample({ locationId: ids, value: v }));
  }

  const samplesType = new pf.ValueType({ type: st.dedup('samples'), unit: st.dedup('count') });
  const wallType = new pf.ValueType({ type: st.dedup('wall'), unit: st.dedup('nanoseconds') });
  return new pf.Profile({
    sampleType: [samplesType, wallType],
    sample: samples,
    mapping: mappings,
    location: [...locations.values()].filter(Boolean),
    function: [...functions.values()],
    stringTable: st,
    timeNanos: BigInt(Date.now()) * 1000000n,
    durationNanos: (cpu.endTime - cpu.startTime) * 1000,
    periodType: new pf.ValueType({ type: st.dedup('wall'), unit: st.dedup('nanoseconds') }),
    period: INTERVAL_US * 1000,
  });
}

async function main() {
  const out = process.argv[2];
  const budget = Number(process.argv[3] || 1000);
  if (!out) {
    console.error('usage: node inspector.js OUTDIR [BUDGET_MS]');
    process.exit(2);
  }
  setTimeout(() => {
    console.error('inspector.js: timeout');
    process.exit(3);
  }, 60000).unref();

  const session = new inspector.Session();
  session.connect();
  await post(session, 'Profiler.enable');
  await post(session, 'Profiler.setSamplingInterval', { interval: INTERVAL_US });
  await post(session, 'Profiler.start');
  await workload.run(budget);
  const { profile } = await post(session, 'Profiler.stop');
  session.disconnect();

  const prof = convert(profile, process.execPath);
  if (!prof.sample.length) throw new Error('no samples');
  fs.writeFileSync(path.join(out, 'node-inspector-cpu.pb.gz'), zlib.gzipSync(prof.encode()));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
