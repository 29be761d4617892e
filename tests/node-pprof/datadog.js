'use strict';
// Profiles a real Node.js workload (workload.js) with @datadog/pprof, the
// native V8 profiler bindings Datadog ships, and writes what its encoder
// produces (gzip'd pprof protobuf) into OUTDIR:
//   dd-wall.pb.gz        time profile: sample/count, wall/nanoseconds,
//                        cpu/nanoseconds (per-sample CPU time)
//   dd-wall-lines.pb.gz  time profile aggregated per source line
//                        (lineNumbers: one function entry per line)
//   dd-heap.pb.gz        sampled heap: objects/count, space/bytes
// Usage: node datadog.js OUTDIR [BUDGET_MS]
const fs = require('fs');
const path = require('path');
const pprof = require('@datadog/pprof');
const workload = require('./workload');

async function main() {
  const out = process.argv[2];
  const budget = Number(process.argv[3] || 1500);
  if (!out) {
    console.error('usage: node datadog.js OUTDIR [BUDGET_MS]');
    process.exit(2);
  }
  // Hard stop in case anything hangs.
  setTimeout(() => {
    console.error('datadog.js: timeout');
    process.exit(3);
  }, 60000).unref();

  pprof.heap.start(8 * 1024, 64);

  pprof.time.start({
    intervalMicros: 1000,
    durationMillis: 60000,
    withContexts: true, // required by collectCpuTime
    collectCpuTime: true,
  });
  pprof.time.setContext({ phase: 'wall' });
  await workload.run(budget);
  const wall = pprof.time.stop();

  pprof.time.start({ intervalMicros: 1000, durationMillis: 60000, lineNumbers: true });
  await workload.run(Math.ceil(budget / 2));
  const wallLines = pprof.time.stop();

  const heap = pprof.heap.profile();
  pprof.heap.stop();

  const files = { 'dd-wall.pb.gz': wall, 'dd-wall-lines.pb.gz': wallLines, 'dd-heap.pb.gz': heap };
  for (const [name, prof] of Object.entries(files)) {
    if (!prof.sample.length) throw new Error(name + ': no samples');
    fs.writeFileSync(path.join(out, name), await pprof.encode(prof));
  }
  // workload.live stays reachable until here.
  return workload.live.length;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
