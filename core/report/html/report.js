/*
 * The HTML report's flame graphs (core/report/html.c embeds this). The data
 * is the JSON in the page's element "triage-data"; html-data.c says what a view
 * holds. Every name goes into the page through textContent, never as
 * markup: names come from the profiled program.
 */
(function () {
	'use strict';
	var t0 = performance.now();
	var data = JSON.parse(document.getElementById('triage-data').textContent);
	var views = data.flames || [];
	var ROW = 18;
	var OWNER = ['main module', 'dependency', 'standard library', 'runtime', 'module not in build info'];
	var canvas = document.getElementById('fg-canvas');
	var tip = document.getElementById('fg-tip');
	var search = document.getElementById('fg-search');
	var status = document.getElementById('fg-status');
	var note = document.getElementById('fg-note');
	var tabs = document.getElementById('fg-tabs');
	var state = { view: null, zoom: 0, query: '' };

	if (!views.length || !canvas)
		return;

	/* pprof's ScaledLabel: two decimals, ".00" dropped, 1024 steps for bytes */
	function fmt(v, unit) {
		var a = Math.abs(v), s, u;
		var scales = unit === 'bytes' ? [[1, 'B'], [1024, 'kB'], [1048576, 'MB'], [1073741824, 'GB'], [1099511627776, 'TB']]
			: unit === 'nanoseconds' ? [[1, 'ns'], [1e3, 'us'], [1e6, 'ms'], [1e9, 's'], [3.6e12, 'hrs']] : null;
		if (!scales)
			return String(v);
		u = scales[0];
		for (var i = 0; i < scales.length; i++)
			if (a >= scales[i][0])
				u = scales[i];
		s = (v / u[0]).toFixed(2).replace(/\.00$/, '');
		return s + u[1];
	}

	function pct(v, total) {
		return total ? (100 * v / total).toFixed(2) + '%' : '';
	}

	/* Decodes a view once: parents, x offsets and subtree ends from the preorder node list. */
	function prepare(v) {
		if (v.n)
			return v;
		var stride = v.diff ? 4 : 3, n = v.nodes.length / stride, i, d, stack = [];
		v.n = n;
		v.name = new Int32Array(n);
		v.value = new Float64Array(n);
		v.base = new Float64Array(n);
		v.depth = new Int32Array(n);
		v.parent = new Int32Array(n);
		v.x = new Float64Array(n);
		v.end = new Int32Array(n);
		v.next = new Float64Array(n);
		v.maxDepth = 0;
		v.maxDelta = 1;
		for (i = 0; i < n; i++) {
			v.name[i] = v.nodes[i * stride];
			v.value[i] = v.nodes[i * stride + 1];
			v.base[i] = v.diff ? v.nodes[i * stride + 2] : 0;
			d = v.nodes[i * stride + stride - 1];
			v.depth[i] = d;
			if (d > v.maxDepth)
				v.maxDepth = d;
			while (stack.length > d) {
				v.end[stack[stack.length - 1]] = i;
				stack.pop();
			}
			if (d === 0) {
				v.parent[i] = -1;
				v.x[i] = 0;
			} else {
				var p = stack[d - 1];
				v.parent[i] = p;
				v.x[i] = v.next[p];
				v.next[p] += Math.max(v.value[i], 0);
			}
			v.next[i] = v.x[i];
			stack.push(i);
			if (v.diff && Math.abs(v.value[i] - v.base[i]) > v.maxDelta && i > 0)
				v.maxDelta = Math.abs(v.value[i] - v.base[i]);
		}
		while (stack.length)
			v.end[stack.pop()] = n;
		return v;
	}

	function nameOf(v, i) {
		if (i === 0)
			return 'all';
		var k = v.name[i];
		return k < 0 ? '(' + (-k) + ' smaller frames)' : v.names[k];
	}

	function hashHue(s) {
		var h = 0;
		for (var i = 0; i < s.length; i++)
			h = (h * 31 + s.charCodeAt(i)) | 0;
		return Math.abs(h);
	}

	function colour(v, i, el) {
		var k = v.name[i];
		if (v.diff) {
			var d = v.value[i] - v.base[i], f = Math.min(1, Math.abs(d) / v.maxDelta);
			el.style.background = d > 0 ? 'hsl(6,' + (40 + 50 * f) + '%,' + (84 - 26 * f) + '%)'
				: d < 0 ? 'hsl(212,' + (40 + 50 * f) + '%,' + (86 - 24 * f) + '%)' : 'hsl(210,8%,88%)';
			return;
		}
		if (i === 0 || k < 0) {
			el.className += ' om';
			return;
		}
		el.className += ' o' + v.owners[k];
		/* a little variation within an owner's colour, so neighbours are told apart */
		el.style.filter = 'brightness(' + (0.92 + (hashHue(v.names[k]) % 17) / 100) + ')';
	}

	function matches(v, i) {
		return state.query && i > 0 && nameOf(v, i).toLowerCase().indexOf(state.query) >= 0;
	}

	function render() {
		var v = state.view, z = state.zoom, W = canvas.clientWidth || 1000;
		var span = v.value[z] > 0 ? v.value[z] : 1, x0 = v.x[z], zd = v.depth[z], frag = document.createDocumentFragment();
		var anc = [], i, p, el, w, drawn = 0;
		for (p = z; p >= 0; p = v.parent[p])
			anc.unshift(p);
		function box(i, left, width, row, isAnc) {
			el = document.createElement('div');
			el.className = 'fr' + (isAnc ? ' anc' : '') + (matches(v, i) ? ' hit' : '');
			el.style.left = left.toFixed(1) + 'px';
			el.style.width = Math.max(width, 1).toFixed(1) + 'px';
			el.style.top = (row * ROW) + 'px';
			el.dataset.i = i;
			el.dataset.value = v.value[i];
			el.dataset.depth = v.depth[i];
			if (width > 28)
				el.textContent = nameOf(v, i);
			colour(v, i, el);
			frag.appendChild(el);
			drawn++;
		}
		for (i = 0; i < anc.length - 1; i++)
			box(anc[i], 0, W, i, true);
		for (i = z; i < v.end[z]; i++) {
			w = v.value[i] / span * W;
			/* narrower than a pixel: drawn by its caller's width, skip its subtree */
			if (w < 0.3 && i !== z) {
				i = v.end[i] - 1;
				continue;
			}
			box(i, (v.x[i] - x0) / span * W, w, v.depth[i], false);
		}
		canvas.textContent = '';
		canvas.style.height = ((v.maxDepth + 1) * ROW + 2) + 'px';
		canvas.appendChild(frag);
		canvas.classList.toggle('searching', !!state.query);
		canvas.dataset.view = v.id;
		canvas.dataset.zoom = z;
		canvas.dataset.drawn = drawn;
		updateStatus();
	}

	function updateStatus() {
		var v = state.view, i, n = 0, share = 0, covered = -1;
		if (!state.query) {
			status.textContent = v.title + ': total ' + v.totalText;
			status.dataset.matches = '';
			return;
		}
		/* share: a match inside another match's subtree is not counted twice */
		for (i = 0; i < v.n; i++) {
			if (!matches(v, i))
				continue;
			n++;
			if (i >= covered) {
				share += v.value[i];
				covered = v.end[i];
			}
		}
		status.dataset.matches = n;
		status.textContent = n + ' frame' + (n === 1 ? '' : 's') + ' match "' + state.query + '": ' +
			fmt(share, v.unit) + ', ' + pct(share, v.value[0]) + ' of the total';
	}

	function show(idx) {
		state.view = prepare(views[idx]);
		state.zoom = 0;
		Array.prototype.forEach.call(tabs.children, function (b, j) {
			b.setAttribute('aria-selected', j === idx ? 'true' : 'false');
		});
		note.textContent = (state.view.merged ? state.view.merged + ' frames under ' +
			(state.view.minShare * 100).toFixed(2) + '% of the total are merged into "smaller frames" boxes. ' : '') +
			(state.view.diff ? 'Width: the later profile; colour: red grew, blue shrank since the earlier one.' : '');
		render();
	}

	function tipText(v, i) {
		var lines = [], k = v.name[i];
		lines.push(['name', nameOf(v, i)]);
		lines.push(['', 'this frame: ' + fmt(v.value[i], v.unit) + ' (' + v.value[i] + ' ' + v.unit + '), ' +
			pct(v.value[i], v.value[0]) + ' of the total']);
		if (v.diff)
			lines.push(['', 'before: ' + fmt(v.base[i], v.unit) + ', change: ' +
				(v.value[i] >= v.base[i] ? '+' : '') + fmt(v.value[i] - v.base[i], v.unit)]);
		if (i > 0 && k < 0)
			lines.push(['', (-k) + ' frames called from here, each under ' + (v.minShare * 100).toFixed(2) +
				'% of the total, merged into this box']);
		if (i > 0 && k >= 0 && v.flat) {
			lines.push(['top', 'as triage top: flat ' + v.flat[k] + ' (' + v.flatv[k] + '), cum ' + v.cum[k] +
				' (' + v.cumv[k] + ')']);
			lines.push(['', 'owner: ' + OWNER[v.owners[k]]]);
		}
		return lines;
	}

	canvas.addEventListener('mousemove', function (e) {
		var el = e.target.closest('.fr');
		if (!el) {
			tip.hidden = true;
			return;
		}
		var lines = tipText(state.view, +el.dataset.i);
		tip.textContent = '';
		lines.forEach(function (l) {
			var d = document.createElement('div');
			d.className = l[0];
			d.textContent = l[1];
			tip.appendChild(d);
		});
		tip.hidden = false;
		var x = e.clientX + 14, y = e.clientY + 14;
		if (x + tip.offsetWidth > window.innerWidth)
			x = Math.max(0, e.clientX - tip.offsetWidth - 14);
		if (y + tip.offsetHeight > window.innerHeight)
			y = Math.max(0, e.clientY - tip.offsetHeight - 14);
		tip.style.left = x + 'px';
		tip.style.top = y + 'px';
	});
	canvas.addEventListener('mouseleave', function () {
		tip.hidden = true;
	});
	canvas.addEventListener('click', function (e) {
		var el = e.target.closest('.fr');
		if (!el)
			return;
		state.zoom = +el.dataset.i;
		render();
	});
	document.getElementById('fg-reset').addEventListener('click', function () {
		state.zoom = 0;
		render();
	});
	search.addEventListener('input', function () {
		state.query = search.value.trim().toLowerCase();
		render();
	});
	/* Escape: clear the search first, then zoom out to the root */
	document.addEventListener('keydown', function (e) {
		if (e.key !== 'Escape')
			return;
		if (state.query) {
			search.value = '';
			state.query = '';
		} else {
			state.zoom = 0;
		}
		render();
	});
	var pending = 0;
	window.addEventListener('resize', function () {
		clearTimeout(pending);
		pending = setTimeout(render, 100);
	});

	views.forEach(function (v, j) {
		var b = document.createElement('button');
		b.type = 'button';
		b.setAttribute('role', 'tab');
		b.dataset.view = v.id;
		b.textContent = v.title;
		b.addEventListener('click', function () {
			show(j);
		});
		tabs.appendChild(b);
	});
	document.getElementById('fg').hidden = false;
	show(0);
	/* for the browser tests: how long the first flame graph took to draw */
	document.body.dataset.renderMs = (performance.now() - t0).toFixed(1);
})();
