'use strict';
// Text helpers for workload.js. step and build deliberately share their
// names with functions in workload.js.

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta'];

function step(text, i) {
  return text + WORDS[i % WORDS.length] + (i % 3 === 0 ? '. ' : ' ');
}

function build(n) {
  let text = '';
  for (let i = 0; i < n; i++) text = step(text, i);
  return text;
}

function wordStats(n) {
  const text = build(n);
  const counts = new Map();
  for (const m of text.matchAll(/([a-z]+)(?=[ .])/g)) {
    counts.set(m[1], (counts.get(m[1]) || 0) + 1);
  }
  return text.split(/\.\s*/).filter(Boolean).length + counts.size;
}

// scan runs compiled regular expressions over a long text; V8 reports the
// time spent in them as frames named "RegExp: <source>".
const PATTERNS = [/(?:[a-z]+a)(?=[ .])/g, /\b(e[a-z]*)\s+([a-z]{4,})/g, /[aeiou]{2}|t[a-z]{3}[.]/g];

function scan(text, rounds) {
  let n = 0;
  for (let r = 0; r < rounds; r++) {
    for (const re of PATTERNS) {
      re.lastIndex = 0;
      while (re.exec(text) !== null) n++;
    }
  }
  return n;
}

module.exports = { build, scan, step, wordStats };
