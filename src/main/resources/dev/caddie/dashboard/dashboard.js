// Caddie's dashboard: each page renders from the same /api/ endpoint a script would read, and re-renders when the
// ledger's version changes (polled each second), so a run finishing elsewhere shows up without a reload.
'use strict';
(function () {
  const app = document.getElementById('app');
  const page = app.dataset.page, pageId = app.dataset.id;
  const params = new URLSearchParams(location.search);
  const tagQuery = params.get('tag') ? '?tag=' + encodeURIComponent(params.get('tag')) : '';
  document.querySelectorAll('header a[data-nav]').forEach(a => { if (a.dataset.nav === page || (page === 'candidate' && a.dataset.nav === 'experiments')) a.classList.add('active'); });

  let lastTotal = null;
  async function api(path) {
    const r = await fetch(path, { credentials: 'same-origin' });
    if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
    lastTotal = r.headers.get('X-Total-Count');
    return r.json();
  }
  function h(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined) continue;
      if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
    }
    for (const k of kids.flat()) if (k !== null && k !== undefined) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
    return e;
  }
  const n = (v, d) => v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d === undefined ? 4 : d);
  const bytes = v => v === null || v === undefined ? '–' : Number(v).toLocaleString('en-US');
  const money = v => v === null || v === undefined ? '–' : '$' + Number(v).toFixed(2);
  const verdict = v => h('span', { class: 'v-' + (v || 'none') }, v || 'running');
  function card(label, value, sub, id) { return h('div', { class: 'card' }, h('div', { class: 'label' }, label), h('div', { class: 'value', id: id }, value), sub ? h('div', { class: 'sub' }, sub) : null); }
  function table(headers, rows, id) {
    return h('div', { class: 'scroll' }, h('table', { id: id }, h('thead', {}, h('tr', {}, headers.map(x => h('th', {}, x)))), h('tbody', {}, rows)));
  }
  function expRow(e) {
    return h('tr', { 'data-id': e.id },
      h('td', { class: 'num' }, h('a', { href: '/experiments/' + e.id }, '#' + e.id)), h('td', {}, e.proposer), h('td', {}, e.description),
      h('td', {}, verdict(e.verdict)), h('td', {}, e.tier || '–'), h('td', { class: 'num' }, n(e.val_bpb)), h('td', { class: 'num' }, bytes(e.artifact_bytes)),
      h('td', { class: 'muted' }, e.reason || ''));
  }
  const EXP_HEAD = ['#', 'proposer', 'what it tried', 'verdict', 'tier', 'val_bpb', 'artifact bytes', 'why'];
  function width() { return Math.max(280, Math.min(app.clientWidth - 20, 980)); }
  function chart(title, xLabel, yLabel, xs, series, opts) {
    const box = h('div', { class: 'chart' }, h('div', { class: 'label' }, title));
    if (!xs.length) { box.append(h('p', { class: 'muted' }, 'no data yet')); return box; }
    const data = [xs, ...series.map(s => s.values)];
    const o = Object.assign({ width: width(), height: 260, scales: { x: { time: false } }, axes: [{ label: xLabel }, { label: yLabel }],
      series: [{ label: xLabel }, ...series.map(s => Object.assign({ label: s.label, stroke: s.color || '#2f6fdf', width: 2, spanGaps: true }, s.points ? { paths: () => null, points: { show: true, size: 6, fill: s.color || '#2f6fdf' } } : {}))] }, opts || {});
    setTimeout(() => new uPlot(o, data, box), 0);
    return box;
  }

  const pages = {
    async overview() {
      const o = await api('/api/overview' + tagQuery);
      const best = o.best;
      const out = [h('h1', {}, 'Overview' + (o.tag ? ' — tag ' + o.tag : ''))];
      const budget = o.budget;
      out.push(h('div', { class: 'cards' },
        card('best ' + o.metric, best ? n(best.val_bpb) : '–', best ? (best.seeds > 1 ? '± ' + n(best.sigma) + ' over ' + best.seeds + ' seeds, ' : '') + 'candidate #' + best.candidate + ' on ' + best.tier : 'no kept result yet', 'best-val-bpb'),
        card('distance to the record', o.record && best ? (o.record.distance > 0 ? '+' : '') + n(o.record.distance) : '–', o.record ? 'record ' + n(o.record.val_bpb) + ' (' + o.record.source + ')' : 'no record known', 'record-distance'),
        card('artifact headroom (best)', best && best.headroom_bytes !== undefined ? bytes(best.headroom_bytes) : '–', 'bytes under ' + bytes(o.artifact_limit) + (o.last_run ? '; last run ' + bytes(o.last_run.headroom_bytes) : ''), 'headroom'),
        card('budget left', money(budget.left), money(budget.committed) + ' committed of ' + money(budget.dollars), 'budget-left')));
      out.push(h('h2', {}, 'Runs in flight'));
      out.push(o.running.length ? h('div', { id: 'running' }, o.running.map(r => h('div', { class: 'card live-line' },
        h('a', { href: '/experiments/' + r.candidate }, '#' + r.candidate), ' ', r.tier, ' seed ', r.seed, ': ',
        r.step !== undefined ? 'step ' + r.step + '/' + r.total + ' loss ' + n(r.train_loss) + (r.eta_seconds !== undefined ? ' ETA ' + Math.round(r.eta_seconds) + ' s' : '') : 'starting',
        ' — ', r.description))) : h('p', { class: 'muted', id: 'running' }, 'none'));
      out.push(h('h2', {}, 'Spend per tier'));
      out.push(table(['tier', 'runs', 'hours', 'spent', 'reserved'], budget.tiers.map(t => h('tr', {}, h('td', {}, t.tier), h('td', { class: 'num' }, t.runs),
        h('td', { class: 'num' }, n(t.hours, 2)), h('td', { class: 'num' }, money(t.spent)), h('td', { class: 'num' }, money(t.reserved)))), 'tiers'));
      out.push(h('h2', {}, 'Last verdicts'));
      out.push(table(EXP_HEAD, o.last_verdicts.map(expRow), 'last-verdicts'));
      return out;
    },
    async experiments() {
      const q = new URLSearchParams(params);
      const rows = await api('/api/experiments?' + q.toString());
      const f = h('form', { class: 'filters', method: 'get', action: '/experiments' },
        h('select', { name: 'verdict' }, ['', 'keep', 'discard', 'crash', 'rejected', 'interrupted'].map(v => { const o = h('option', { value: v }, v || 'any verdict'); if (q.get('verdict') === v) o.selected = true; return o; })),
        h('input', { name: 'proposer', placeholder: 'proposer', value: q.get('proposer') || '' }),
        h('input', { name: 'tier', placeholder: 'tier', value: q.get('tier') || '' }),
        h('input', { name: 'tag', placeholder: 'tag', value: q.get('tag') || '' }),
        h('select', { name: 'sort' }, [['', 'newest first'], ['score', 'best score first']].map(([v, l]) => { const o = h('option', { value: v }, l); if ((q.get('sort') || '') === v) o.selected = true; return o; })),
        h('button', { type: 'submit' }, 'filter'));
      const total = lastTotal === null ? rows.length : Number(lastTotal);
      return [h('h1', {}, 'Experiments (' + total + ')'), f, total > rows.length ? h('p', { class: 'muted' }, 'showing the first ' + rows.length + ' of ' + total + '; filter or add ?limit= to see more') : null,
        table(EXP_HEAD, rows.map(expRow), 'experiments-table')];
    },
    async candidate() {
      const c = await api('/api/experiments/' + pageId);
      const out = [h('h1', {}, 'Candidate #' + c.id + ' — ' + c.description)];
      out.push(h('div', { class: 'cards' },
        card('verdict', c.verdict ? c.verdict.verdict : 'running', c.verdict ? c.verdict.reason : '', 'verdict'),
        card('proposer', c.proposer, 'tag ' + c.tag + ', commit ' + (c.commit || '').slice(0, 10) + (c.worker ? ', swarm worker ' + c.worker : '')),
        c.hypothesis ? card('predicted → actual delta', n(c.hypothesis.predicted_delta) + ' → ' + n(c.hypothesis.actual_delta), c.hypothesis.hypothesis, 'hypothesis') : null));
      const env = Object.entries(c.env);
      out.push(h('h2', {}, 'Settings'), env.length ? table(['variable', 'value'], env.map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))), 'env') : h('p', { class: 'muted' }, 'the script\'s defaults'));
      out.push(h('h2', {}, 'Gates'), table(['gate', 'result', 'reason'], c.gates.map(g => h('tr', {}, h('td', {}, g.gate), h('td', { class: g.passed ? 'v-keep' : 'v-crash' }, g.passed ? 'pass' : 'FAIL'), h('td', {}, g.reason))), 'gates'));
      out.push(h('h2', {}, 'Runs'), table(['run', 'tier', 'seed', 'status', 'val_bpb', 'artifact bytes', 'cost'], c.runs.map(r => h('tr', {},
        h('td', { class: 'num' }, r.id), h('td', {}, r.tier), h('td', { class: 'num' }, r.seed), h('td', {}, r.status + (r.error ? ': ' + r.error : '')),
        h('td', { class: 'num' }, n(r.val_bpb)), h('td', { class: 'num' }, bytes(r.artifact_bytes)), h('td', { class: 'num' }, money(r.cost_usd)))), 'runs'));
      for (const r of c.runs) {
        if (r.curve.train_step.length)
          out.push(chart('run ' + r.id + ' (' + r.tier + ', seed ' + r.seed + '): train loss by step', 'step', 'loss', r.curve.train_step, [{ label: 'train loss', values: r.curve.train_loss }]));
        if (r.curve.val_step.length > 1)
          out.push(chart('run ' + r.id + ': validation bpb by step', 'step', 'val_bpb', r.curve.val_step, [{ label: 'val_bpb', values: r.curve.val_bpb, color: '#7a3fd1' }]));
      }
      const last = c.runs[c.runs.length - 1];
      if (last) {
        const pre = h('pre', { id: 'log' }, '');
        out.push(h('h2', {}, 'Log of run ' + last.id + (last.status === 'running' ? ' (live)' : '')), pre);
        tailLog(last.id, pre);
      }
      const d = h('pre', { class: 'diff', id: 'diff' });
      for (const line of (c.diff || '(no change: settings only)').split('\n'))
        d.append(h('span', { class: line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') ? 'file' : line.startsWith('+') ? 'add' : line.startsWith('-') ? 'del' : line.startsWith('@@') ? 'hunk' : '' }, line + '\n'));
      out.push(h('h2', {}, 'Diff against its parent'), d);
      return out;
    },
    async charts() {
      const c = await api('/api/charts' + tagQuery);
      const limit = c.artifact_bytes.map(() => c.artifact_limit);
      return [h('h1', {}, 'Charts'),
        chart('best-so-far ' + c.metric + ' against compute hours', 'hours', c.metric, c.best_hours, [{ label: 'best ' + c.metric, values: c.best_value }], { series: [{}, { label: 'best', stroke: '#2f6fdf', width: 2, paths: uPlot.paths.stepped({ align: 1 }) }] }),
        c.best_dollars.some(x => x > 0) ? chart('best-so-far ' + c.metric + ' against dollars', 'dollars', c.metric, c.best_dollars, [{ label: 'best ' + c.metric, values: c.best_value, color: '#7a3fd1' }])
          : h('div', { class: 'chart' }, h('div', { class: 'label' }, 'best-so-far ' + c.metric + ' against dollars'), h('p', { class: 'muted' }, 'no spend recorded yet: every run so far was on a free tier')),
        chart('artifact bytes against ' + c.metric + ' (line: the ' + c.artifact_limit.toLocaleString('en-US') + '-byte limit)', c.metric, 'bytes', sortedBy(c.artifact_val_bpb, c.artifact_bytes, limit)[0],
          sortedBy(c.artifact_val_bpb, c.artifact_bytes, limit).slice(1).map((v, i) => i === 0 ? { label: 'runs', values: v, points: true, color: '#d16b1f' } : { label: 'limit', values: v, color: '#b42318' })),
        c.spend_dollars.some(x => x > 0) ? chart('spend over time', 'hours', 'dollars', c.spend_hours, [{ label: 'dollars spent', values: c.spend_dollars, color: '#1f7a36' }])
          : h('div', { class: 'chart' }, h('div', { class: 'label' }, 'spend over time'), h('p', { class: 'muted' }, '$0 so far')),
        overlay(c.curves),
        chart('hypothesis calibration: predicted against actual delta', 'predicted', 'actual', sortedBy(c.predicted_delta, c.actual_delta)[0], [{ label: 'candidates', values: sortedBy(c.predicted_delta, c.actual_delta)[1], points: true, color: '#2f6fdf' }])];
    },
    async research() {
      const r = await api('/api/research');
      const out = [h('h1', {}, 'Research and frontier')];
      out.push(h('p', {}, 'Public record: ' + (r.record || 'unknown until `caddie frontier sync` runs')));
      out.push(h('h2', {}, 'Findings (' + r.findings.length + ')'), r.findings.length ? table(['#', 'source', 'grade', 'title', 'plan / reason', 'micro'], r.findings.map(f => h('tr', {},
        h('td', { class: 'num' }, f.id), h('td', {}, f.source), h('td', {}, f.status === 'graded' ? 'tier ' + f.tier : (f.status || '–')),
        h('td', {}, f.url ? h('a', { href: f.url, rel: 'noreferrer' }, f.title) : f.title), h('td', { class: 'muted' }, f.plan || f.reason || ''), h('td', {}, f.verified || ''))), 'findings')
        : h('p', { class: 'muted' }, 'none yet (`caddie research fetch`)'));
      out.push(h('h2', {}, 'Strategy'), r.strategy ? h('pre', { id: 'strategy' }, r.strategy) : h('p', { class: 'muted' }, 'not written yet (`caddie research reflect`)'));
      out.push(h('h2', {}, 'Battle plan'), r.battle_plan.length ? h('ul', {}, r.battle_plan.map(p => h('li', {}, p))) : h('p', { class: 'muted' }, 'none yet (`caddie frontier techniques`)'));
      if (r.record_history && r.record_history.length) {
        const xs = r.record_history.map(x => Date.parse(x.date) / 1000);
        out.push(chart('the record over time (track_10min_16mb)', 'date', 'val_bpb', xs, [{ label: 'record val_bpb', values: r.record_history.map(x => x.val_bpb), color: '#b42318' }],
          { scales: { x: { time: true } }, series: [{}, { label: 'record', stroke: '#b42318', width: 2, paths: uPlot.paths.stepped({ align: 1 }), points: { show: true, size: 6 } }] }));
      }
      if (r.edges && r.edges.length) out.push(h('h2', {}, 'Technique map'), graph(r.edges));
      if (r.edges && r.edges.length) out.push(h('h2', {}, 'Techniques that compose or conflict'), table(['a', 'b', 'relation', 'evidence'], r.edges.map(e => h('tr', {}, h('td', {}, e.a), h('td', {}, e.b), h('td', {}, e.relation), h('td', { class: 'num' }, e.evidence)))));
      return out;
    }
  };
  /** Several runs' loss curves on one set of axes: uPlot wants one x array, so each run is aligned to the union of steps. */
  function overlay(curves) {
    if (!curves.length) return h('div', { class: 'chart' }, h('div', { class: 'label' }, 'training curves of the last runs'), h('p', { class: 'muted' }, 'no curves yet'));
    const steps = [...new Set(curves.flatMap(c => c.curve.train_step))].sort((a, b) => a - b);
    const colors = ['#2f6fdf', '#d16b1f', '#1f7a36', '#7a3fd1', '#b42318', '#0f8b8d', '#8a5a00', '#c2185b'];
    const series = curves.map((c, i) => {
      const at = new Map(c.curve.train_step.map((s, k) => [s, c.curve.train_loss[k]]));
      return { label: 'run ' + c.run + ' (#' + c.candidate + ')', values: steps.map(s => at.has(s) ? at.get(s) : null), color: colors[i % colors.length] };
    });
    return chart('training curves of the last ' + curves.length + ' runs, overlaid', 'step', 'train loss', steps, series);
  }
  /** Techniques on a circle, green edges where they compose, red dashed where they conflict; thicker with more evidence. */
  function graph(edges) {
    const NS = 'http://www.w3.org/2000/svg';
    const names = [...new Set(edges.flatMap(e => [e.a, e.b]))];
    const w = width(), hgt = Math.min(420, Math.max(260, 40 * names.length)), cx = w / 2, cy = hgt / 2, rad = Math.min(cx, cy) - 60;
    const at = new Map(names.map((name, i) => [name, [cx + rad * Math.cos(2 * Math.PI * i / names.length - Math.PI / 2), cy + rad * Math.sin(2 * Math.PI * i / names.length - Math.PI / 2)]]));
    const svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('width', w); svg.setAttribute('height', hgt); svg.setAttribute('id', 'technique-graph');
    const add = (tag, attrs, text) => { const e = document.createElementNS(NS, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v); if (text) e.textContent = text; svg.append(e); return e; };
    for (const e of edges) {
      const [x1, y1] = at.get(e.a), [x2, y2] = at.get(e.b);
      add('line', { x1, y1, x2, y2, stroke: e.relation === 'composes' ? '#1f7a36' : '#b42318', 'stroke-width': Math.min(6, 1 + e.evidence), 'stroke-dasharray': e.relation === 'composes' ? '' : '6 4' });
    }
    for (const [name, [x, y]] of at) {
      add('circle', { cx: x, cy: y, r: 6, fill: '#2f6fdf' });
      add('text', { x: x + (x < cx ? -10 : 10), y: y + 4, 'text-anchor': x < cx ? 'end' : 'start', 'font-size': 13 }, name);
    }
    return h('div', { class: 'chart' }, svg);
  }
  function sortedBy(xs, ...ys) {
    const idx = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
    return [idx.map(i => xs[i]), ...ys.map(y => idx.map(i => y[i]))];
  }
  let logTimer = null;
  function tailLog(runId, pre) {
    let next = 0;
    clearInterval(logTimer);
    const pull = async () => {
      const l = await api('/api/runs/' + runId + '/log' + (next ? '?from=' + next : ''));
      if (l.text) { pre.append(l.text); pre.scrollTop = pre.scrollHeight; }
      next = l.next;
      if (l.status !== 'running') clearInterval(logTimer);
    };
    pull();
    logTimer = setInterval(pull, 1000);
  }

  let version = null, rendering = false;
  async function render() {
    if (rendering) return;
    rendering = true;
    try {
      const nodes = await pages[page]();
      app.replaceChildren(...nodes.filter(x => x));
      document.body.dataset.rendered = version;
    } catch (e) {
      app.replaceChildren(h('p', { class: 'v-crash' }, String(e.message || e)));
    } finally { rendering = false; }
  }
  async function poll() {
    try {
      const v = (await api('/api/version')).version;
      document.getElementById('live').classList.remove('stale');
      if (v !== version) { version = v; await render(); }
    } catch (e) { document.getElementById('live').classList.add('stale'); }
  }
  poll();
  setInterval(poll, 1000);
})();
