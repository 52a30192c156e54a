#!/usr/bin/env python
"""What tools/check_pages.py measures inside each page, and how it reads the raw text it gets back.

Two scripts run in the loaded page: CHECK_JS collects the page's content (title, h1s, navigation, links, ids, images,
outputs, the rendered text outside code, KaTeX errors, widget elements); FIT_JS runs the layout checks at 1366 px
(`overflow`, `numbers`, `alt`: LAYOUT_CHECKS). `raw_tex` finds TeX left in the rendered text and `md_table` a markdown
table left in an output <pre>. tools/check_pages.py turns these readings into failures (see its docstring).
"""
import re

LAYOUT_CHECKS = ('overflow', 'numbers', 'alt')      # FIT_JS's checks; a failure reads 'CHECK: what, where'
# raw TeX in rendered text: display delimiters, LaTeX delimiters, environments, and $…$ that holds TeX-looking text
_re_tex = [re.compile(p, re.S) for p in (r'\$\$.+?\$\$', r'\\\(.+?\\\)', r'\\\[.+?\\\]', r'\\begin\{[A-Za-z]+\*?\}')]
_re_dollar = re.compile(r'(?<![\w$])\$(?=[^\s$])([^$\n]{1,300}?)(?<=[^\s$\\])\$(?![\w$])')
_re_texish = re.compile(r'[\\^_{}]|^[A-Za-z]\w{0,2}$')
_re_md_row = re.compile(r'^\s*\|.*\|\s*$')
_re_md_rule = re.compile(r'^\s*\|\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|\s*$')

CHECK_JS = r"""(() => {
  const txt = e => (e.textContent || '');
  const all = s => Array.from(document.querySelectorAll(s));
  const inNav = e => !!e.closest('nav');
  const SKIP = 'pre, code, script, style, textarea, .katex, .katex-display, .katex-error, .highlight, .input_area';
  const blocks = new Map();
  const root = document.getElementById('content') || document.body;
  const w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = w.nextNode(); n; n = w.nextNode()) {
    const p = n.parentElement;
    if (!p || p.closest(SKIP)) continue;
    const b = p.closest('p, li, td, th, h1, h2, h3, h4, h5, h6, dd, dt, blockquote, figcaption, div') || root;
    blocks.set(b, (blocks.get(b) || '') + n.data);
  }
  const remoteSel = 'script[src], link[href], img[src], iframe[src], embed[src], source[src], audio[src], video[src], object[data]';
  return {
    title: document.title,
    h1s: all('h1').filter(h => !inNav(h)).map(h => txt(h).trim().replace(/#\s*$/, '').trim()),
    nav: all('nav#site-nav a').filter(a => !a.classList.contains('site-title')).map(a => (
      {href: a.getAttribute('href'), abs: a.href, text: txt(a).trim(),
       current: a.classList.contains('current') || a.getAttribute('aria-current') === 'page'})),
    links: all('a[href]').map(a => ({raw: a.getAttribute('href'), abs: a.href})),
    ids: all('[id]').map(e => e.id).concat(all('a[name]').map(a => a.getAttribute('name'))),
    images: all('img').map((i, k) => ({k, src: (i.getAttribute('src') || '').slice(0, 50), complete: i.complete,
                                        w: i.naturalWidth, h: i.naturalHeight})),
    errors: all('.output_error').map(txt),
    outputs: all('.output_subarea').filter(e => !e.classList.contains('output_error')).map(e => (
      {stderr: e.classList.contains('output_stderr'), text: txt(e)})),
    remote: all(remoteSel).map(e => e.tagName.toLowerCase() + ' ' + (e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('data')))
                          .filter(s => /^\w+ \s*(https?:)?\/\//i.test(s)),
    texts: Array.from(blocks.values()),
    pres: all('.output_subarea pre').map(txt),
    katex_errors: all('.katex-error').map(e => (e.getAttribute('title') || '') + ' [' + txt(e).slice(0, 80) + ']'),
    widgets: all('script[type="application/vnd.jupyter.widget-state+json"], script[type="application/vnd.jupyter.widget-view+json"], .output_widget_view').length,
    n_math: all('.katex').length,
    n_display: all('.katex-display').length,
  };
})()"""

# Layout checks at 1366 px: tables and figures that do not fit the content column, numbers in table cells that wrap,
# figures without a description. Returns {overflow: [...], numbers: [...], alt: [...]}, each item a short description.
FIT_JS = r"""(() => {
  const col = document.getElementById('content') || document.body;
  const px = v => parseFloat(v) || 0;
  const ccs = getComputedStyle(col), cr = col.getBoundingClientRect();
  const colRight = cr.right - px(ccs.paddingRight) - px(ccs.borderRightWidth);
  const colWidth = colRight - (cr.left + px(ccs.paddingLeft) + px(ccs.borderLeftWidth));
  const heads = Array.from(col.querySelectorAll('h1, h2, h3, h4'));
  const section = e => {           // the heading above e: where to look for it on the page
    let h = null;
    for (const x of heads) { if (x.compareDocumentPosition(e) & Node.DOCUMENT_POSITION_FOLLOWING) h = x; else break; }
    return h ? ' under "' + h.textContent.replace(/#\s*$/, '').trim().slice(0, 60) + '"' : '';
  };
  const clip = (t, n) => { t = t.replace(/\s+/g, ' ').trim(); return t.length > n ? t.slice(0, n - 1) + '…' : t; };
  const name = e => {
    const tag = e.tagName.toLowerCase();
    if (tag === 'table') {
      const row = e.querySelector('tr');
      return 'table [' + clip(row ? Array.from(row.cells).map(c => visibleText(c)).join(' | ') : '', 70) + ']';
    }
    if (tag === 'img') return 'figure "' + clip(e.getAttribute('alt') || '', 60) + '"';
    if (e.classList.contains('output_subarea')) return 'output [' + clip(visibleText(e), 50) + ']';
    return tag + (e.id ? '#' + e.id : '');
  };
  const boxName = a => a.tagName.toLowerCase() + (a.className && typeof a.className === 'string'
                                                   ? '.' + a.className.trim().split(/\s+/).join('.') : '');
  const textNodes = root => {
    const out = [], w = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = w.nextNode(); n; n = w.nextNode())
      if (n.data.trim() && !n.parentElement.closest('.katex-mathml, script, style')) out.push(n);
    return out;
  };
  function visibleText(e) { return textNodes(e).map(n => n.data).join(''); }

  // --- overflow: every table, figure (img, svg, canvas, video, iframe) and output area must fit the content column
  const sel = 'table, img, svg, canvas, video, iframe, .output_subarea';
  const cands = Array.from(col.querySelectorAll(sel)).filter(e =>
      !e.closest('nav, .katex, .katex-display') && !(e.tagName.toLowerCase() === 'svg' && e.parentElement.closest('svg')));
  const bad = new Map();
  for (const e of cands) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;                       // not rendered
    const cw = e.clientWidth || 0, sw = e.scrollWidth || 0;
    const hidden = cw > 0 && sw > cw + 1 ? sw - cw : 0;                  // content scrolled or clipped inside e itself
    const need = r.width + hidden, right = r.left + need;
    let why = null, avail = colRight - r.left;
    if (hidden) why = 'scrolls inside itself (' + Math.round(hidden) + ' px out of view)';
    for (let a = e.parentElement; !why && a && a !== col; a = a.parentElement) {
      if (getComputedStyle(a).overflowX === 'visible') continue;
      const ar = a.getBoundingClientRect(), edge = ar.left + a.clientLeft + a.clientWidth;
      if (right > edge + 1) { why = 'cut by its scrolling box ' + boxName(a); avail = edge - r.left; }
    }
    if (!why && right > colRight + 1) why = 'reaches past the content column';
    if (why) bad.set(e, name(e) + ' is ' + Math.round(need) + ' px wide, ' + Math.round(Math.min(avail, colRight - r.left))
                        + ' px available (column ' + Math.round(colWidth) + ' px): ' + why + section(e));
  }
  const overflow = [];
  for (const [e, msg] of bad)                              // the innermost culprit only (not the output holding it)
    if (![...bad.keys()].some(o => o !== e && e.contains(o))) overflow.push(msg);

  // --- numbers: a value in a table cell must not be broken over lines
  const lines = rects => {
    const rs = Array.from(rects).filter(r => r.width > 0.5 && r.height > 0.5).sort((a, b) => a.top - b.top);
    let n = 0, bottom = -Infinity;
    for (const r of rs) { if (r.top >= bottom - 2) { n++; bottom = r.bottom; } else bottom = Math.max(bottom, r.bottom); }
    return n;
  };
  const rangeRects = (node, i, j) => { const g = document.createRange(); g.setStart(node, i); g.setEnd(node, j); return g.getClientRects(); };
  const NUM = '[-+\u2212]?(?:\\d[\\d,]*(?:\\.\\d+)?|\\.\\d+)(?:[eE][-+]?\\d+)?%?';
  const VALUE = new RegExp('\\[\\s*' + NUM + '\\s*,\\s*' + NUM + '\\s*\\]|' + NUM + '(?:\\s*\u00b1\\s*' + NUM + ')?', 'g');
  const NUMCH = '[\\s\\d.,:;%+\\-\u2212\u2013\u00b1\u00d7*/()\\[\\]<>=\u2248~\u2020\u2021\u00a7]*';   // with footnote marks * † ‡ §
  const NUMERIC_CELL = new RegExp('^' + NUMCH + '\\d' + NUMCH + '$');
  const numbers = [];
  for (const c of col.querySelectorAll('td, th')) {
    if (c.closest('nav')) continue;
    const nodes = textNodes(c), text = nodes.map(n => n.data).join('').replace(/\s+/g, ' ').trim();
    if (!text || c.querySelector('br, table')) continue;                // deliberate line breaks
    const whole = document.createRange(); whole.selectNodeContents(c);
    if (whole.getBoundingClientRect().height < 1.6 * (px(getComputedStyle(c).lineHeight) || 20)) continue;   // one line
    const n = lines(nodes.flatMap(n => Array.from(rangeRects(n, 0, n.data.length))));
    let why = null;
    if (n > 1 && !/\s/.test(text)) why = 'a cell without spaces on ' + n + ' lines';
    else if (n > 1 && NUMERIC_CELL.test(text)) why = 'a numeric cell on ' + n + ' lines';
    else for (const node of nodes) {
      for (const m of node.data.matchAll(VALUE)) {
        if (lines(rangeRects(node, m.index, m.index + m[0].length)) > 1) { why = 'the value "' + clip(m[0], 40) + '" split over lines'; break; }
      }
      if (why) break;
    }
    if (why) {
      const t = c.closest('table');
      numbers.push('cell "' + clip(text, 40) + '" in ' + name(t) + ': ' + why + ' (cell ' + Math.round(c.getBoundingClientRect().width)
                   + ' px wide)' + section(c));
    }
  }

  // --- alt: every image says what it shows
  const GENERIC = /^(no description has been provided for this image|image|figure|plot|png|jpe?g|svg|untitled|output)$/i;
  const alt = [];
  col.querySelectorAll('img').forEach((i, k) => {
    const a = (i.getAttribute('alt') || '').trim();
    if (!a || GENERIC.test(a)) alt.push('image #' + k + ' (' + Math.round(i.getBoundingClientRect().width) + ' px wide) has '
        + (i.hasAttribute('alt') ? (a ? 'the generic alt text "' + a + '"' : 'an empty alt text') : 'no alt text') + section(i)
        + ': give its cell a `#| fig-cap:` (or `#| fig-alt:`) line');
  });
  col.querySelectorAll('.output_subarea svg').forEach(g => {
    if (g.closest('.katex') || g.parentElement.closest('svg') || g.getAttribute('aria-hidden') === 'true') return;
    if (!(g.getAttribute('aria-label') || '').trim() && !(g.querySelector(':scope > title')?.textContent || '').trim())
      alt.push('inline svg figure without aria-label or <title>' + section(g));
  });
  return {overflow, numbers, alt, width: Math.round(colWidth)};
})()"""


def raw_tex(texts):
    "Excerpts of text blocks that still hold TeX."
    hits = []
    for t in texts:
        for r in _re_tex:
            for m in r.finditer(t): hits.append(m.group(0))
        for m in _re_dollar.finditer(t):
            if _re_texish.search(m.group(1)): hits.append(m.group(0))
    return [' '.join(h.split())[:80] for h in dict.fromkeys(hits)]


def md_table(text):
    "The header line of the first markdown table in a <pre> text (a `| … |` line followed by a `|---|` rule), or None."
    lines = text.splitlines()
    return next((a for a, b in zip(lines, lines[1:]) if _re_md_row.match(a) and _re_md_rule.match(b)), None)
