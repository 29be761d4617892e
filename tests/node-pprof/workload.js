'use strict';
// A small, real Node.js workload for the profilers in this directory:
// recursion, JSON, regular expressions, sorting, a class with methods,
// closures, typed arrays, Buffer/crypto (native code), Map/Set churn, and
// timers and promises so that the event loop also waits. Deterministic work,
// bounded by a wall-clock budget. The functions in textutil.js share some
// names with the ones here (step, build) so that equal names come from
// different files.

const crypto = require('crypto');
const textutil = require('./textutil');

// live keeps part of the allocations reachable (heap profile: in use).
const live = [];

// text is scanned with regular expressions in every round.
const text = textutil.build(3000);

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function step(state) {
  // Same name as textutil.step, different file.
  state.acc = (state.acc * 31 + state.i) >>> 0;
  state.i++;
  return state;
}

function build(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    out.push({ id: i, name: 'rec-' + i, tags: ['a', 'b' + (i % 7)], score: i * 0.5 });
  }
  return out;
}

function jsonRoundTrip(n) {
  const text = JSON.stringify(build(n));
  return JSON.parse(text).length;
}

function sortNumbers(n) {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = ((i * 7919) % n) / n;
  return Array.from(a).sort((x, y) => x - y)[n >> 1];
}

class Histogram {
  constructor(buckets) {
    this.counts = new Uint32Array(buckets);
    this.seen = new Map();
  }

  add(v) {
    this.counts[v % this.counts.length]++;
    this.seen.set('k' + (v % 5000), v);
  }

  summary() {
    let s = 0;
    for (const c of this.counts) s += c;
    return s + this.seen.size;
  }
}

function hashChunks(rounds) {
  let h = crypto.createHash('sha256');
  const buf = Buffer.alloc(64 * 1024, 7);
  for (let i = 0; i < rounds; i++) h.update(buf);
  return h.digest('hex').length;
}

function makeCounters(n) {
  const fs = [];
  for (let i = 0; i < n; i++) {
    const state = new Array(16 + (i % 32)).fill(i);
    fs.push(() => state[0]++ + state.length);
  }
  return fs;
}

function cpuRound() {
  let acc = fib(22);
  acc += jsonRoundTrip(2000);
  acc += sortNumbers(20000);
  const h = new Histogram(256);
  const st = { acc: 1, i: 0 };
  for (let i = 0; i < 50000; i++) {
    h.add(step(st).acc);
  }
  acc += h.summary();
  acc += hashChunks(16);
  acc += textutil.wordStats(400);
  acc += textutil.scan(text, 10);
  acc += makeCounters(2000).reduce((s, f) => s + f(), 0);
  return acc;
}

function keepSome() {
  live.push(build(3000), makeCounters(1000), textutil.build(2000), Buffer.alloc(256 * 1024, 1));
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// run: CPU rounds interleaved with short waits, for about budgetMs.
async function run(budgetMs) {
  const end = Date.now() + budgetMs;
  let acc = 0;
  let round = 0;
  while (Date.now() < end) {
    acc += cpuRound();
    if (round++ % 4 === 0) keepSome();
    await sleep(2);
  }
  return acc;
}

module.exports = { run, live };
