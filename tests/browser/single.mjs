// single.mjs - checks the page of `memreport build --single-file` in the
// system's headless Chromium (playwright-core, axe-core), alone and pasted
// into host pages:
//   - opened from an empty folder, at 1400 and 390 px, light and dark: no
//     request at all besides the page itself, axe-core clean, nothing wider
//     than the screen (and at 820 and 1024 px, a tablet); in a block 760 px
//     wide or less no table is wider than the block (details opened), the
//     wide ones (.mrp-cards) stacked with each body cell labelled by its
//     column's header; in a wider one the tables of a .mrp-cards-wide box
//     narrower than 1040 px are stacked the same way and every other table
//     is laid out as a table (and so in the host pages below);
//   - its block (between the memreport:begin/end comments) pasted into a
//     blog shell made here, with hostile generic CSS (table{width:50%},
//     h2{color:red}, td{padding:20px}, .card{...}) and a nav of in-page
//     links, and into a copy of every --template FILE given (the
//     operators' own post shell): the host's elements keep the computed
//     style they have without the block, the block's elements keep the one
//     they have in the standalone file at the same width, the host's nav
//     links still work, and the block's own section links too;
//   - with --with OTHER.html (the single page of another experiment): both
//     blocks in one synthetic post share no id, axe-core finds no
//     duplicate id, every link, label and for= of a block points into that
//     block, a block's section link scrolls to its own section, and each
//     block keeps the styles of its standalone file.
// usage: node single.mjs [--name NAME] [--shots DIR] [--template FILE]... [--with OTHER.html]
//        [--alone] PAGE.html
// (--alone: the standalone checks only, and that the page keeps its theme)
// Prints PASS/FAIL/SKIP lines; exits 0 (the runner counts FAIL lines).
import { existsSync, readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { browserTools } from './tools.mjs';

const args = process.argv.slice(2);
let shots = '';
let name = 'single';
const templates = [];
let file = '';
let alone = false; // the standalone checks only
let other = ''; // a second experiment's page, pasted beside the first
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--shots') shots = args[++i];
  else if (args[i] === '--with') other = args[++i];
  else if (args[i] === '--name') name = args[++i];
  else if (args[i] === '--template') templates.push(args[++i]);
  else if (args[i] === '--alone') alone = true;
  else file = args[i];
}

const { playwright, axeSource, exe, pass, fail } = browserTools(name);
const check = (what, problems) => (problems.length ? fail(what, problems.slice(0, 6).join('; ')) : pass(what));

const html = readFileSync(file, 'utf8');
const blockOf = (text) => {
  const begin = text.indexOf('<!-- memreport:begin -->');
  const end = text.indexOf('<!-- memreport:end -->');
  return begin < 0 || end < begin ? null : text.slice(begin, end + '<!-- memreport:end -->'.length);
};
const block = blockOf(html);
const otherBlock = other ? blockOf(readFileSync(other, 'utf8')) : '';
if (!block || otherBlock === null) {
  fail('block', 'no memreport:begin/end comments in the page');
  process.exit(0);
}

const work = mkdtempSync(path.join(os.tmpdir(), 'mr-single-'));
const browser = await playwright.chromium.launch({
  executablePath: exe,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const modes = [
  { label: 'desktop light', width: 1400, scheme: 'light' },
  { label: 'desktop dark', width: 1400, scheme: 'dark' },
  { label: 'phone light', width: 390, scheme: 'light', mobile: true },
  { label: 'phone dark', width: 390, scheme: 'dark', mobile: true },
];
// The standalone file only: a block as wide as a tablet's page.
const tablets = [
  { label: 'tablet 1024 light', width: 1024, scheme: 'light' },
  { label: 'tablet 820 dark', width: 820, scheme: 'dark', mobile: true },
];

async function open(url, m, width = m.width) {
  const ctx = await browser.newContext({
    viewport: { width, height: m.mobile ? 844 : 1000 }, deviceScaleFactor: 1,
    isMobile: !!m.mobile, hasTouch: !!m.mobile, colorScheme: m.scheme, reducedMotion: 'reduce',
  });
  const page = await ctx.newPage();
  const requests = [];
  // Every request is seen here, and none but the page's own is let through.
  await page.route('**', (route) => {
    const u = route.request().url();
    if (u.split('#')[0] === url.split('#')[0]) return route.continue();
    requests.push(u);
    return route.abort();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { ctx, page, requests };
}

// Runs in the page: the computed style of the first element each selector
// matches, for the properties that show whether a stylesheet got at it.
const PROPS = ['color', 'background-color', 'font-family', 'font-size', 'font-weight',
  'line-height', 'text-align', 'text-transform', 'padding-top', 'padding-left', 'margin-top',
  'margin-left', 'border-top-width', 'border-top-style', 'border-top-color', 'display',
  'list-style-type'];
function styles({ sels, props }) {
  const out = {};
  for (const s of sels) {
    const el = document.querySelector(s);
    if (!el) { out[s] = null; continue; }
    const cs = getComputedStyle(el);
    const o = {};
    for (const p of props) o[p] = cs.getPropertyValue(p);
    // Widths as a share of the block: the block is as wide in both.
    const root = el.closest('.mrp');
    if (root) o['width-share'] = (el.getBoundingClientRect().width / root.getBoundingClientRect().width).toFixed(3);
    out[s] = o;
  }
  return out;
}
// The same, inside the k-th block of the page (selectors start ".mrp").
function stylesIn({ sels, props, k }) {
  const root = document.querySelectorAll('.mrp')[k];
  const out = {};
  for (const s of sels) {
    const rest = s.replace(/^\.mrp\s*/, '');
    const el = rest ? root.querySelector(rest) : root;
    if (!el) { out[s] = null; continue; }
    const cs = getComputedStyle(el);
    const o = {};
    for (const p of props) o[p] = cs.getPropertyValue(p);
    o['width-share'] = (el.getBoundingClientRect().width / root.getBoundingClientRect().width).toFixed(3);
    out[s] = o;
  }
  return out;
}
function diff(a, b, label, least) {
  const out = [];
  let compared = 0;
  for (const s of Object.keys(a)) {
    if (!a[s] && !b[s]) continue; // not on this page (no findings, say)
    compared++;
    if (!a[s] || !b[s]) { out.push(`${s}: ${!a[s] ? 'missing in the reference' : `missing in ${label}`}`); continue; }
    for (const p of Object.keys(a[s])) {
      if (a[s][p] !== b[s][p]) out.push(`${s} ${p}: ${a[s][p]} -> ${b[s][p]} (${label})`);
    }
  }
  if (compared < least) out.push(`only ${compared} elements compared`);
  return out;
}
const OURS = ['.mrp', '.mrp .mrp-masthead h2', '.mrp section > h3', '.mrp .mrp-kpi',
  '.mrp .mrp-kpi-value', '.mrp .mrp-kpi-note', '.mrp table.mrp-metrics', '.mrp table.mrp-metrics caption',
  '.mrp table.mrp-metrics thead th', '.mrp table.mrp-metrics tbody th', '.mrp table.mrp-metrics td',
  '.mrp p.mrp-note', '.mrp .mrp-masthead nav a', '.mrp .mrp-masthead nav ul', '.mrp .mrp-masthead nav li', '.mrp .mrp-chart-box',
  '.mrp figcaption', '.mrp ul.mrp-findings li', '.mrp dl.mrp-summary dd', '.mrp .mrp-trend', '.mrp code'];

async function shot(page, stem) {
  if (!shots) return;
  mkdirSync(shots, { recursive: true });
  await page.screenshot({ path: path.join(shots, `${name}-${stem}.png`), fullPage: true });
}

async function axe(page) {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    // The block's title is an h2, to sit under the post's own h1; the
    // standalone file therefore has no h1 (the host pages do).
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      rules: document.querySelector('h1') ? {} : { 'page-has-heading-one': { enabled: false } },
      resultTypes: ['violations'], preload: false,
    });
    return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(' ')}`);
  });
}

// Runs in the page: the tables of the k-th block (every <details> opened).
// A block 760 px wide or less inside (the stylesheet's container query) has
// every table within its width and the .mrp-cards ones stacked, each body
// cell showing its data-label, which starts with its column header's text;
// so has a .mrp-cards-wide box narrower than 1040 px (its own container
// query) in a wider block; every other table is laid out as a table, with
// no label shown.
function blockTables(k) {
  const out = [];
  const root = document.querySelectorAll('.mrp')[k];
  for (const d of root.querySelectorAll('details')) d.open = true;
  // The container query measures the block's content box.
  const cs = getComputedStyle(root);
  const phone = root.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) <= 760;
  const tables = [...root.querySelectorAll('table')];
  if (!tables.length) out.push('no table');
  let stacked = 0;
  for (const t of tables) {
    const what = `${t.className} "${(t.caption ? t.caption.textContent : '').trim().slice(0, 25)}"`;
    const disp = getComputedStyle(t).display;
    const cells = [...t.querySelectorAll('tbody td')];
    const wrap = t.closest('.mrp-table-wrap');
    const tablet = wrap && wrap.classList.contains('mrp-cards-wide') && wrap.clientWidth <= 1040;
    const box = wrap || t.parentElement;
    if (t.scrollWidth > box.clientWidth + 1) out.push(`table wider than the block: ${what} (${t.scrollWidth} > ${box.clientWidth})`);
    if (!phone && !tablet) {
      if (disp !== 'table') out.push(`not laid out as a table: ${what} (${disp})`);
      if (cells.some((c) => getComputedStyle(c, '::before').content !== 'none')) out.push(`label shown in a wide block: ${what}`);
      continue;
    }
    if (!t.closest('.mrp-cards')) continue;
    stacked++;
    if (disp === 'table') { out.push(`not stacked: ${what}`); continue; }
    const heads = [...t.tHead.rows[0].cells].map((h) => h.textContent.replace(/\s+/g, ' ').trim());
    for (const row of t.tBodies[0].rows) {
      const bad = [...row.cells].map((c, i) => [c, i]).find(([c, i]) => {
        if (c.tagName !== 'TD') return false;
        const label = c.getAttribute('data-label') || '';
        const shown = getComputedStyle(c, '::before').content;
        return !label || !label.startsWith(heads[i]) || !shown.startsWith(JSON.stringify(label));
      });
      if (bad) { out.push(`cell ${bad[1] + 1} of ${what}: label "${bad[0].getAttribute('data-label')}", header "${heads[bad[1]]}"`); break; }
    }
  }
  if (phone && !stacked) out.push('no stacked table');
  if (!phone && root.querySelector('.mrp-cards-wide') && root.clientWidth <= 1000 && !stacked) out.push('no stacked table in a tablet-wide block');
  return out;
}

// The synthetic host: a blog shell with its own inline stylesheet of
// generic, hostile rules and a nav of in-page links.
const HOST_CSS = `
  body { font-family: Georgia, serif; background: #101418; color: #e8e8e8; margin: 0; text-align: center; }
  header.site { background: #20262c; padding: 12px 0; position: sticky; top: 0; }
  header.site a { color: #00ff7f; margin: 0 14px; font-size: 18px; text-decoration: none; }
  .container { max-width: 800px; margin: 40px auto; padding: 20px; background: #1e1e1e; text-align: left; }
  h1 { color: #00ff7f; font-size: 34px; text-align: center; }
  h2 { color: red; font-size: 40px; text-transform: uppercase; }
  h3 { color: orange; font-size: 30px; }
  p { font-size: 20px; color: #cccccc; line-height: 2; margin-bottom: 2em; }
  table { width: 50%; margin: 40px auto; border: 3px solid yellow; }
  th, td { padding: 20px; background: #333; color: #ccc; border: 2px dashed pink; text-align: center; }
  tr:hover { background: #252525; }
  caption { color: magenta; font-size: 22px; }
  ul, ol { padding-left: 60px; color: #ccc; }
  li { font-size: 20px; margin-bottom: 12px; list-style: square; }
  a { color: #00ff7f; text-decoration: underline wavy; }
  code { background: #000; color: #00ff7f; padding: 8px; }
  div { margin: 6px; }
  section { padding: 30px; border: 1px solid #555; }
  figure { margin: 50px; }
  nav ul { display: block; }
  .card, .title, .meta, .note, .kpi, .summary { border: 5px solid lime; padding: 30px; font-size: 30px; }
  dl, dd { margin: 30px; }
  .far { margin-top: 1600px; }
`;
const hostPage = (body) => `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>A blog post</title><style>${HOST_CSS}</style></head>
<body>
<header class="site"><nav aria-label="Site"><a href="#post">Post</a><a href="#comments">Comments</a><a href="#about">About</a></nav></header>
<main class="container">
<article id="post"><h1>What we found</h1>
<p class="meta">By the operators</p>
<p>Our relays, before the report below.</p>
${body}
<p>And after it.</p></article>
<section id="comments" class="far"><h2>Comments</h2><p>None yet.</p></section>
<section id="about" class="far"><h2>About</h2><p>Who we are.</p></section>
</main>
</body></html>`;
const HOST_ELEMENTS = ['body', 'header.site', 'header.site a', '.container', 'h1', '#post > p',
  '.meta', '#comments', '#comments h2'];

// Pastes the block into host (a page with a placeholder comment or a
// </div> before the footer) and checks both styles and the nav.
async function paste(label, hostHtml, hostEls, navCheck) {
  const dir = mkdtempSync(path.join(work, 'host-'));
  const bare = path.join(dir, 'bare.html');
  const post = path.join(dir, 'post.html');
  writeFileSync(bare, hostHtml(''));
  writeFileSync(post, hostHtml(block));
  for (const m of modes) {
    const where = `${label} ${m.label}`;
    const a = await open(pathToFileURL(bare).href, m);
    const before = await a.page.evaluate(styles, { sels: hostEls, props: PROPS });
    await a.ctx.close();
    const b = await open(pathToFileURL(post).href, m);
    const after = await b.page.evaluate(styles, { sels: hostEls, props: PROPS });
    check(`${where}: host styles intact`, diff(before, after, 'with the block', hostEls.length));
    const ours = await b.page.evaluate(styles, { sels: OURS, props: PROPS });
    const bw = await b.page.evaluate(() => document.querySelector('.mrp').getBoundingClientRect().width);
    // The standalone file with its block as wide (body margin 8 px).
    const s = await open(pathToFileURL(path.join(work, 'empty', path.basename(file))).href, m, Math.round(bw) + 16);
    const ref = await s.page.evaluate(styles, { sels: OURS, props: PROPS });
    await s.ctx.close();
    check(`${where}: block styles as in the standalone file`, diff(ref, ours, 'pasted', 15));
    check(`${where}: the block's tables as its width wants`, await b.page.evaluate(blockTables, 0));
    const wide = await b.page.evaluate(() => document.scrollingElement.scrollWidth - document.documentElement.clientWidth);
    check(`${where}: no sideways scroll`, wide > 1 ? [`page ${wide} px wider than the screen`] : []);
    await shot(b.page, `${label.replace(/\W+/g, '-')}-${m.label.replace(/ /g, '-')}`);
    if (label === 'synthetic host')
      check(`${where}: axe-core on the host page with the block`, await axe(b.page));
    // The block's own section links move within the page.
    const nav = [];
    const y0 = await b.page.evaluate(() => scrollY);
    const chartsHref = await b.page.evaluate(() => document.querySelector('.mrp .mrp-masthead nav a[href$="-charts"]').getAttribute('href'));
    await b.page.click(`.mrp .mrp-masthead nav a[href="${chartsHref}"]`);
    await b.page.waitForTimeout(50);
    const own = await b.page.evaluate(() => ({ hash: location.hash, y: scrollY }));
    if (own.hash !== chartsHref || own.y === y0) nav.push(`block link: hash ${own.hash}, scroll ${y0} -> ${own.y}`);
    await b.page.evaluate(() => scrollTo(0, 0));
    // Then the host's (which may leave the page).
    nav.push(...await navCheck(b.page, m));
    check(`${where}: host nav and block links work`, nav);
    await b.ctx.close();
  }
}

try {
  // 1. Alone, from an empty folder: not a single other request.
  mkdirSync(path.join(work, 'empty'));
  const single = path.join(work, 'empty', path.basename(file));
  writeFileSync(single, html);
  const bg = {}, chartBg = {};
  for (const m of modes.concat(tablets)) {
    const where = `standalone ${m.label}`;
    const { ctx, page, requests } = await open(pathToFileURL(single).href, m);
    check(`${where}: no request besides the page`, requests.map((u) => `requested ${u}`));
    check(`${where}: axe-core`, await axe(page));
    const lay = await page.evaluate(() => {
      const out = [];
      const vw = document.documentElement.clientWidth;
      if (document.scrollingElement.scrollWidth > vw + 1) out.push(`page scrolls sideways (${document.scrollingElement.scrollWidth} > ${vw})`);
      for (const el of document.querySelectorAll('.mrp *')) {
        if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
        const r = el.getBoundingClientRect();
        if (r.width && r.right > vw + 1 && !el.closest('.mrp-table-wrap')) { out.push(`cut off: ${el.tagName} ${el.className}`); break; }
      }
      // The narrow charts where the block is narrow, the wide ones elsewhere.
      const narrow = document.querySelector('.mrp').getBoundingClientRect().width <= 700;
      const shown = [...document.querySelectorAll('.mrp-chart-box')].filter((b) => getComputedStyle(b).display !== 'none');
      if (!shown.length) out.push('no chart shown');
      if (shown.some((b) => b.classList.contains('mrp-chart-narrow') !== narrow)) out.push(`${narrow ? 'wide' : 'narrow'} chart shown in a ${narrow ? 'narrow' : 'wide'} block`);
      return out;
    });
    check(`${where}: layout`, lay);
    check(`${where}: tables ${m.width < 760 ? 'fit, stacked and labelled' : m.width < 1100 ? 'fit, the wide ones stacked' : 'laid out as tables'}`, await page.evaluate(blockTables, 0));
    bg[m.label] = await page.evaluate(() => getComputedStyle(document.querySelector('.mrp')).backgroundColor);
    chartBg[m.label] = await page.evaluate(() => getComputedStyle(document.querySelector('.mrp-mr-chart .mrp-bg')).fill);
    await shot(page, `standalone-${m.label.replace(/ /g, '-')}`);
    await ctx.close();
  }

  // The theme: auto follows the reader, light and dark (build --theme) stay.
  const scheme = (html.match(/<meta name="color-scheme" content="([^"]*)"/) || [])[1];
  const lum = (c) => { const v = c.match(/\d+/g).slice(0, 3).map(Number); return (v[0] + v[1] + v[2]) / 3; };
  const [l, d] = [lum(bg['desktop light']), lum(bg['desktop dark'])];
  const themed = scheme === 'light dark' ? l > 128 && d < 128 : scheme === 'dark' ? l < 128 && d < 128
    : scheme === 'light' ? l > 128 && d > 128 : false;
  const charts = ['desktop light', 'desktop dark'].every((k) => (lum(chartBg[k]) > 128) === (lum(bg[k]) > 128));
  check(`theme ${scheme}: charts drawn on the block's background`, charts ? [] : [`chart backgrounds ${chartBg['desktop light']}, ${chartBg['desktop dark']}`]);
  check(`theme ${scheme}: block background ${bg['desktop light']} (light reader), ${bg['desktop dark']} (dark reader)`,
    themed ? [] : ['does not follow the theme']);
  if (alone) throw new Error('alone');

  // 2. Pasted into the synthetic blog shell.
  await paste('synthetic host', hostPage, HOST_ELEMENTS, async (page) => {
    const out = [];
    const y0 = await page.evaluate(() => scrollY);
    await page.click('header.site a[href="#comments"]');
    await page.waitForTimeout(50);
    const r = await page.evaluate(() => ({ hash: location.hash, y: scrollY }));
    if (r.hash !== '#comments' || r.y <= y0) out.push(`host nav: hash ${r.hash}, scroll ${y0} -> ${r.y}`);
    await page.evaluate(() => scrollTo(0, 0));
    return out;
  });

  // 4. Two experiments' blocks in one post: no id twice, each block's
  // links and labels inside it, each block styled as when alone.
  if (otherBlock) {
    writeFileSync(path.join(work, 'empty', 'other.html'), readFileSync(other, 'utf8'));
    const two = path.join(work, 'two.html');
    writeFileSync(two, hostPage(block + '\n<p>Between the reports.</p>\n' + otherBlock));
    for (const m of [modes[0], modes[3]]) {
      const where = `two reports in one post ${m.label}`;
      const { ctx, page } = await open(pathToFileURL(two).href, m);
      const found = await page.evaluate(() => {
        const out = [];
        const seen = new Map();
        for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
        const twice = [...seen].filter(([, n]) => n > 1).map(([id]) => id);
        if (twice.length) out.push(`${twice.length} ids twice: ${twice.slice(0, 3).join(', ')}`);
        const blocks = [...document.querySelectorAll('.mrp')];
        if (blocks.length !== 2) out.push(`${blocks.length} blocks`);
        let refs = 0;
        for (const el of document.querySelectorAll('.mrp [href^="#"], .mrp [aria-labelledby], .mrp [aria-describedby], .mrp [aria-controls], .mrp label[for], .mrp[aria-labelledby]')) {
          const names = el.hasAttribute('href') ? [el.getAttribute('href').slice(1)]
            : ['aria-labelledby', 'aria-describedby', 'aria-controls', 'for'].flatMap((a) => (el.getAttribute(a) || '').split(/\s+/)).filter(Boolean);
          for (const n of names) {
            refs++;
            const t = document.getElementById(n);
            if (!t || t.closest('.mrp') !== el.closest('.mrp')) { out.push(`${n}: ${t ? 'in the other block' : 'no such id'}`); break; }
          }
        }
        if (refs < 40) out.push(`only ${refs} references`);
        return out;
      });
      check(`${where}: no id twice, every reference inside its block`, found);
      await page.evaluate(axeSource);
      const dupes = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, {
          runOnly: { type: 'rule', values: ['duplicate-id', 'duplicate-id-active', 'duplicate-id-aria'] },
          resultTypes: ['violations'], preload: false,
        });
        return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(' ')}`);
      });
      check(`${where}: axe-core duplicate-id rules`, dupes);
      check(`${where}: axe-core`, await axe(page));
      // The second block's own link scrolls to its own section.
      const href = await page.evaluate(() => document.querySelectorAll('.mrp')[1].querySelector('.mrp-masthead nav a[href$="-charts"]').getAttribute('href'));
      await page.click(`.mrp .mrp-masthead nav a[href="${href}"]`);
      await page.waitForTimeout(50);
      const own = await page.evaluate((h) => {
        const t = document.getElementById(h.slice(1));
        return { hash: location.hash, second: t && t.closest('.mrp') === document.querySelectorAll('.mrp')[1], top: t ? Math.round(t.getBoundingClientRect().top) : null };
      }, href);
      check(`${where}: the second block's link goes to its own section`,
        own.hash === href && own.second && Math.abs(own.top) <= 2 ? [] : [`hash ${own.hash}, in the second block ${own.second}, top ${own.top}`]);
      await page.evaluate(() => scrollTo(0, 0));
      // Each block as its standalone file at the same width.
      for (const [k, f] of [[0, path.basename(file)], [1, 'other.html']]) {
        const got = await page.evaluate(stylesIn, { sels: OURS, props: PROPS, k });
        const bw = await page.evaluate((i) => document.querySelectorAll('.mrp')[i].getBoundingClientRect().width, k);
        const s = await open(pathToFileURL(path.join(work, 'empty', f)).href, m, Math.round(bw) + 16);
        const ref = await s.page.evaluate(stylesIn, { sels: OURS, props: PROPS, k: 0 });
        await s.ctx.close();
        check(`${where}: block ${k + 1} styled as its standalone file`, diff(ref, got, 'beside the other', 15));
      }
      await shot(page, `two-reports-${m.label.replace(/ /g, '-')}`);
      await ctx.close();
    }
  }

  // 3. Pasted into copies of the operators' shell, where the post body goes.
  for (const t of templates) {
    const src = readFileSync(t, 'utf8');
    const at = src.indexOf('<!-- the post body goes here');
    const cut = at >= 0 ? src.indexOf('-->', at) + 3 : src.lastIndexOf('<div class="footer">');
    if (cut < 3) { fail(`template ${path.basename(t)}`, 'no place for the post body found'); continue; }
    const host = (body) => src.slice(0, cut) + '\n' + body + '\n' + src.slice(cut);
    const els = ['body', '.nav', '.nav-links a', '.container', 'h1', '.meta', '.footer', '.footer p'];
    await paste(`template ${path.basename(t)}`, host, els, async (page, m) => {
      const out = [];
      // Phones: the menu button (the template's inline onclick) opens the links.
      if (m.mobile) {
        await page.click('.nav-toggle');
        const shown = await page.evaluate(() => getComputedStyle(document.querySelector('.nav-links')).display);
        if (shown === 'none') out.push('the menu button does not open the nav');
      }
      // A nav link leads where it says (the navigation is caught, not loaded).
      const want = await page.evaluate(() => document.querySelector('.nav-links a[href^="/"]').href);
      const [req] = await Promise.all([
        page.waitForRequest((q) => q.url().split('#')[0] === want.split('#')[0], { timeout: 3000 }).catch(() => null),
        page.click('.nav-links a[href^="/"]'),
      ]);
      if (!req) out.push(`host nav: clicking a link did not go to ${want}`);
      return out;
    });
  }
} catch (e) {
  if (e.message !== 'alone') throw e;
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
