#!/usr/bin/env node
// Server-side KaTeX for tools/build_html.py: stdin is JSON [[page], ...], a page being [[tex, displayMode], ...];
// stdout is JSON [[{html, error}, ...], ...] in the same order. Macros defined with \gdef / \newcommand persist within
// a page (as they would with client-side math), never across pages. On a parse error `error` holds KaTeX's message
// and `html` KaTeX's own error rendering (a span.katex-error), so the page check can find it.
'use strict';
const path = require('path');
// KATEX_JS: katex.js to use (build_html.py passes npm's copy here, or $KATEX_DIR's, or Debian libjs-katex's)
const katex = require(process.env.KATEX_JS || path.join(__dirname, 'node_modules', 'katex', 'dist', 'katex.js'));
let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', d => { input += d; });
process.stdin.on('end', () => {
  const pages = JSON.parse(input);
  const out = pages.map(items => {
    const macros = {};
    return items.map(([tex, display]) => {
      const opts = { displayMode: !!display, macros, output: 'htmlAndMathml', strict: 'ignore', trust: false };
      try { return { html: katex.renderToString(tex, { ...opts, throwOnError: true }), error: null }; }
      catch (e) {
        return { html: katex.renderToString(tex, { ...opts, throwOnError: false }), error: String(e.message || e) };
      }
    });
  });
  process.stdout.write(JSON.stringify(out));
});
