// Opens one HTML report in Debian's chromium, headless, through
// playwright-core, and checks what tests/html-report.sh asks for. Prints
// one line per check ("ok ..." / "FAIL ...") and a last line of JSON with
// the figures; exits 1 when a check failed.
//
//   node check-report.mjs SPEC.json
//
// SPEC: { html, outdir, name, totals: {viewId: total}, headline, search:
//         [query, ...], markup: [name, ...], zoom: true }
import { readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const spec = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const failures = [];
const figures = { name: spec.name };

function check(ok, what) {
	console.log((ok ? 'ok ' : 'FAIL ') + spec.name + ': ' + what);
	if (!ok)
		failures.push(what);
}

const browser = await chromium.launch({
	executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
	// root in a container has no user namespace sandbox to give
	args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
});
try {
	const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
	const page = await context.newPage();
	const url = 'file://' + spec.html;
	const consoleErrors = [], requests = [];
	page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') consoleErrors.push(m.text()); });
	page.on('pageerror', (e) => consoleErrors.push(String(e)));
	page.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
	page.on('dialog', (d) => { consoleErrors.push('dialog: ' + d.message()); d.dismiss(); });

	await page.goto(url, { waitUntil: 'load' });
	await page.waitForSelector('body[data-render-ms]', { timeout: 30000 });
	figures.scriptMs = Number(await page.getAttribute('body', 'data-render-ms'));
	figures.loadMs = await page.evaluate(() => {
		const n = performance.getEntriesByType('navigation')[0];
		return Math.round(n.loadEventEnd - n.startTime);
	});
	figures.frames = Number(await page.getAttribute('#fg-canvas', 'data-drawn'));
	await page.screenshot({ path: spec.outdir + '/' + spec.name + '-page.png', fullPage: true });

	// the flame graph root of every view is the total `triage top --format json` gives
	for (const [id, total] of Object.entries(spec.totals || {})) {
		const tab = page.locator(`#fg-tabs button[data-view="${id}"]`);
		if (!(await tab.count())) {
			check(false, `view ${id} exists`);
			continue;
		}
		await tab.click();
		const root = await page.getAttribute('#fg-canvas .fr[data-depth="0"]', 'data-value');
		check(Number(root) === total, `view ${id}: flame graph root ${root} equals triage top's total ${total}`);
	}

	// the last view checked (the growth view of a bundle with samples), as drawn
	if (Object.keys(spec.totals || {}).length)
		await page.locator('#flames').screenshot({ path: spec.outdir + '/' + spec.name + '-lastview.png' });

	if (spec.headline !== undefined) {
		const segs = await page.$$eval('.ledger-chart rect.seg', (r) => r.map((x) => Number(x.dataset.bytes)));
		const sum = segs.reduce((a, b) => a + b, 0);
		check(segs.length > 0 && sum === spec.headline,
			`ledger chart: ${segs.length} segments sum to ${sum}, the headline is ${spec.headline}`);
	}

	const firstView = await page.getAttribute('#fg-tabs button', 'data-view');
	await page.click('#fg-tabs button >> nth=0');

	if (spec.zoom) {
		// the widest frame that is not already full width (the top of a
		// stack is often one chain of full-width frames)
		const canvasWidth = await page.$eval('#fg-canvas', (c) => c.clientWidth);
		const target = await page.$$eval('#fg-canvas .fr', (els, cw) => {
			let best = null;
			for (const e of els)
				if (e.dataset.depth !== '0' && e.offsetWidth < cw * 0.9 && e.offsetWidth >= 8 &&
				    (!best || e.offsetWidth > best.offsetWidth))
					best = e;
			return best ? { i: best.dataset.i, w: best.offsetWidth } : null;
		}, canvasWidth);
		if (!target) {
			check(false, 'a frame narrower than the graph to zoom into');
		} else {
			await page.click(`#fg-canvas .fr[data-i="${target.i}"]`, { position: { x: 3, y: 8 } });
			const zoom = await page.getAttribute('#fg-canvas', 'data-zoom');
			const w = await page.$eval(`#fg-canvas .fr[data-i="${target.i}"]`, (e) => e.offsetWidth);
			await page.mouse.move(0, 0);
			check(zoom === target.i && w >= canvasWidth - 2 && target.w < canvasWidth * 0.9,
				`clicking frame ${target.i} (${target.w}px) zooms into it: now ${w}px of ${canvasWidth}px`);
			await page.locator('#flames').screenshot({ path: spec.outdir + '/' + spec.name + '-zoomed.png' });
			await page.click('#fg-reset');
			check((await page.getAttribute('#fg-canvas', 'data-zoom')) === '0', 'reset zoom goes back to the root');
		}
	}

	// search: the count the page shows is the number of frames whose name
	// contains the query, counted here from the page's data independently
	for (const q of spec.search || []) {
		const expected = await page.evaluate(([q, id]) => {
			const d = JSON.parse(document.getElementById('triage-data').textContent);
			const v = d.flames.find((x) => x.id === id);
			const stride = v.diff ? 4 : 3;
			let n = 0;
			for (let i = stride; i < v.nodes.length; i += stride) {
				const k = v.nodes[i];
				if (k >= 0 && v.names[k].toLowerCase().includes(q.toLowerCase())) n++;
			}
			return n;
		}, [q, firstView]);
		await page.fill('#fg-search', q);
		const shown = await page.getAttribute('#fg-status', 'data-matches');
		const hits = await page.$$eval('#fg-canvas .fr.hit', (e) => e.length);
		check(expected > 0 && Number(shown) === expected && hits > 0 && hits <= expected,
			`search "${q}": page says ${shown} frames, data has ${expected}, ${hits} highlighted`);
		figures['search:' + q] = { expected, hits, status: await page.textContent('#fg-status') };
	}
	if ((spec.search || []).length) {
		await page.hover('#fg-canvas .fr.hit >> nth=0', { position: { x: 3, y: 8 } });
		await page.locator('#flames').screenshot({ path: spec.outdir + '/' + spec.name + '-search.png' });
		await page.fill('#fg-search', '');
	}

	// tooltips carry triage top's flat and cum for the frame's function
	if (spec.tooltip) {
		const { name, flat, cum } = spec.tooltip;
		const i = await page.evaluate((name) => {
			const d = JSON.parse(document.getElementById('triage-data').textContent);
			const v = d.flames[0];
			const k = v.names.indexOf(name);
			for (let j = 3; j < v.nodes.length; j += 3) if (v.nodes[j] === k) return j / 3;
			return -1;
		}, name);
		await page.hover(`#fg-canvas .fr[data-i="${i}"]`, { position: { x: 2, y: 8 } });
		const text = await page.textContent('#fg-tip');
		check(text.includes(`(${flat})`) && text.includes(`(${cum})`),
			`tooltip of ${name} has triage top's flat ${flat} and cum ${cum}: ${text}`);
	}

	// markup in names is text: the name reads back whole, and no element came of it
	for (const m of spec.markup || []) {
		const inFlame = await page.evaluate((m) => {
			const d = JSON.parse(document.getElementById('triage-data').textContent);
			return d.flames.some((v) => v.names.includes(m));
		}, m);
		const inText = await page.evaluate((m) => document.body.innerText.includes(m) ||
			Array.from(document.querySelectorAll('.fr')).some((e) => e.textContent === m), m);
		check(inFlame, `markup name ${JSON.stringify(m)} is in the flame data as written`);
		check(inText || inFlame, `markup name ${JSON.stringify(m)} shows as text`);
	}
	if (spec.markup) {
		const scripts = await page.$$eval('script', (s) => s.length);
		const injected = await page.$$eval('img, iframe, object, embed', (s) => s.length);
		const pwned = await page.evaluate(() => window.__pwned === true);
		check(scripts === 2 && injected === 0 && !pwned,
			`no element made from bundle values (${scripts} scripts, ${injected} img/iframe, pwned=${pwned})`);
		const frame = await page.$$eval('#fg-canvas .fr', (els) => els.map((e) => e.textContent));
		figures.markupFrames = frame.filter((t) => t.includes('<'));
	}

	// the picture for README: the ledger, the climb and the flame graphs of a real report
	if (spec.readme) {
		await page.setViewportSize({ width: 1400, height: 2000 });
		await page.fill('#fg-search', spec.readme);
		await page.$eval('#ledger', (e) => window.scrollTo(0, e.getBoundingClientRect().top + window.scrollY - 8));
		await page.screenshot({ path: spec.outdir + '/' + spec.name + '-readme.png' });
		await page.fill('#fg-search', '');
	}

	// without JavaScript the text parts, the ledger chart and the climb are all there
	if (spec.nojs) {
		const plain = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1400, height: 1000 } });
		const p2 = await plain.newPage();
		p2.on('request', (r) => { if (r.url() !== url) requests.push(r.url()); });
		await p2.goto(url, { waitUntil: 'load' });
		const seen = await p2.evaluate(() => ({
			ladder: document.querySelectorAll('table.ladder tbody tr').length,
			findings: document.querySelectorAll('article.finding').length,
			segs: document.querySelectorAll('.ledger-chart rect.seg').length,
			climbs: document.querySelectorAll('figure.climb').length,
			visible: document.querySelector('#findings').offsetHeight > 0,
			noscript: document.body.innerText.includes('need JavaScript'),
		}));
		check(seen.ladder === 5 && seen.findings > 0 && seen.segs > 0 && seen.visible && seen.noscript,
			'without JavaScript: ' + JSON.stringify(seen));
		await p2.screenshot({ path: spec.outdir + '/' + spec.name + '-nojs.png' });
		await plain.close();
	}

	check(consoleErrors.length === 0, 'no console errors' + (consoleErrors.length ? ': ' + consoleErrors.join(' | ') : ''));
	check(requests.length === 0, 'no network requests' + (requests.length ? ': ' + requests.join(' ') : ''));
	if (spec.maxScriptMs)
		check(figures.scriptMs < spec.maxScriptMs, `flame graph drawn in ${figures.scriptMs} ms (< ${spec.maxScriptMs})`);
} finally {
	await browser.close();
}
console.log(JSON.stringify(figures));
process.exit(failures.length ? 1 : 0);
