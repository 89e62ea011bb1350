// audit.mjs - loads pages in the system's headless Chromium (driven by
// playwright-core, no browser download) and checks what a reader on a
// phone, on paper or with a screen reader gets:
//   - axe-core (WCAG 2 A/AA and best practices) finds no violation;
//   - the page never scrolls sideways, table cells do not overlap or
//     spill, words in tables are not broken mid-word, and a table that
//     scrolls is focusable, named and says that it scrolls;
//   - at 390 px no table is wider than its box (details opened): the
//     wide ones (in a .table-wrap.cards) are stacked, each body cell
//     showing its column header's text as its label, and they are still
//     tables to a screen reader (table, column headers, cells whose names
//     leave the label out); at 701, 820 and 1024 px (a tablet) no table
//     is wider than its box either: each one is a table, or stacked and
//     labelled as on a phone (those in a .cards-wide box too narrow for
//     them); at 1400 px and in print every table is laid out as a table
//     and shows no label;
//   - chart text is at least 9 px on screen;
//   - in print (A4 width, with a dark preference) nothing is cut off on
//     the right, no background stays dark, and no heading prints without
//     what follows it;
//   - no request leaves the page's folder tree and no CSP violation.
// Each page is checked at 1400, 1024, 820 and 390 px wide, light and
// dark, at 701 px light (the narrowest tablet), and in print emulation.
//
// With --theme light|dark (pages built with that --theme) each screen mode
// also checks that the page and its charts are in that theme whatever the
// reader's preference. --expect-style: in every mode, the first element
// matching SEL has the computed PROP VALUE (a site theme's stylesheet
// applies).
//
// usage: node audit.mjs [--shots DIR] [--name NAME] [--theme T]
//        [--expect-style 'SEL|PROP|VALUE']... FILE.html...
// Prints PASS/FAIL/SKIP lines; exits 0 (the runner counts FAIL lines).
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { browserTools } from './tools.mjs';

const args = process.argv.slice(2);
let shots = '';
let name = 'audit';
let theme = '';
const pages = [];
const expects = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--shots') shots = args[++i];
  else if (args[i] === '--name') name = args[++i];
  else if (args[i] === '--expect-style') expects.push(args[++i].split('|'));
  else if (args[i] === '--theme') theme = args[++i];
  else pages.push(args[i]);
}

const { playwright, axeSource, exe, pass, fail } = browserTools(name);

// Runs inside the page: layout findings as strings.
function layoutFindings(opts) {
  const out = [];
  const vw = document.documentElement.clientWidth;
  const desc = (el) => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.className && typeof el.className === 'string') s += '.' + el.className.trim().split(/\s+/).join('.');
    const t = (el.textContent || '').trim().slice(0, 30);
    return t ? `${s} "${t}"` : s;
  };
  const visible = (el) => {
    const cs = getComputedStyle(el);
    if (cs.display === 'none' || cs.visibility === 'hidden') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  if (document.scrollingElement.scrollWidth > vw + 1)
    out.push(`page scrolls sideways (${document.scrollingElement.scrollWidth} > ${vw} px)`);
  // Anything visible that reaches past the right edge and is not inside a
  // scroll container (so the reader cannot get to it).
  const inScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const ox = getComputedStyle(p).overflowX;
      if (ox === 'auto' || ox === 'scroll' || ox === 'hidden') return p;
    }
    return null;
  };
  let cut = 0;
  for (const el of document.querySelectorAll('body *')) {
    if (cut >= 3) break;
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > vw + 1 && !inScroller(el) && getComputedStyle(el).position !== 'absolute') {
      out.push(`cut off on the right: ${desc(el)} (right ${Math.round(r.right)} > ${vw})`);
      cut++;
    }
  }
  // Table cells: neighbours in a row must not overlap, content must not
  // spill out of its cell, and words must not be broken mid-word.
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table)) continue;
    for (const row of table.rows) {
      const cells = [...row.cells].filter(visible);
      for (let i = 1; i < cells.length; i++) {
        const a = cells[i - 1].getBoundingClientRect(), b = cells[i].getBoundingClientRect();
        const sameLine = a.top < b.bottom - 1 && b.top < a.bottom - 1;
        if (sameLine && a.right > b.left + 1 && b.right > a.left + 1) {
          out.push(`cells overlap: ${desc(cells[i - 1])} / ${desc(cells[i])}`);
          break;
        }
      }
      for (const c of cells) {
        if (c.scrollWidth > c.clientWidth + 1) {
          out.push(`content spills out of its cell: ${desc(c)}`);
          break;
        }
      }
    }
    const walker = document.createTreeWalker(table, NodeFilter.SHOW_TEXT);
    let broken = 0;
    for (let n = walker.nextNode(); n && broken < 2; n = walker.nextNode()) {
      if (n.parentElement.closest('svg, code.hash')) continue;
      const re = /\S+/g;
      let m;
      while ((m = re.exec(n.data)) && broken < 2) {
        const r = document.createRange();
        r.setStart(n, m.index);
        r.setEnd(n, m.index + m[0].length);
        const tops = new Set([...r.getClientRects()].filter((x) => x.width > 0).map((x) => Math.round(x.top)));
        // A word may legitimately break after a hyphen or slash.
        if (tops.size > 1 && !/[-/–—]/.test(m[0])) {
          out.push(`word broken across lines: "${m[0]}" in ${desc(n.parentElement)}`);
          broken++;
        }
      }
    }
  }
  // Scroll regions that really scroll: focusable, named, with a visible hint.
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.closest('svg')) continue;
    const ox = getComputedStyle(el).overflowX;
    if ((ox === 'auto' || ox === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      if (el.tabIndex < 0) out.push(`scrolling region cannot be focused: ${desc(el)}`);
      if (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
        out.push(`scrolling region has no name: ${desc(el)}`);
      if (opts.narrow && el.tagName.toLowerCase() !== 'pre') {
        const hint = el.querySelector('.scroll-hint') || el.parentElement.querySelector('.scroll-hint');
        if (!hint || !visible(hint)) out.push(`scrolling table without a visible hint: ${desc(el)}`);
      }
    }
  }
  // A visible hint promises more columns: its table must scroll.
  for (const hint of document.querySelectorAll('.scroll-hint')) {
    if (!visible(hint)) continue;
    const wrap = hint.closest('.table-wrap');
    if (wrap && wrap.scrollWidth <= wrap.clientWidth + 1)
      out.push(`hint says scroll sideways, but the table fits: ${desc(wrap)}`);
  }
  // Chart text on screen: font size times the SVG's scale.
  let small = 0, smallest = Infinity, texts = 0;
  for (const t of document.querySelectorAll('svg text')) {
    if (!visible(t)) continue;
    const svg = t.ownerSVGElement;
    const ctm = t.getScreenCTM();
    if (!svg || !ctm) continue;
    const px = parseFloat(getComputedStyle(t).fontSize) * Math.hypot(ctm.a, ctm.b);
    texts++;
    smallest = Math.min(smallest, px);
    if (px < 9 - 0.05) small++;
  }
  // A tablet gets the desktop's chart scaled down (the phone's is drawn
  // for 700 px or less), in narrower margins so that it stays legible.
  if (small && !opts.print) out.push(`${small} of ${texts} chart text elements under 9 px (smallest ${smallest.toFixed(1)} px)`);
  // A heading must have something visible after it before the next one.
  const heads = [...document.querySelectorAll('main h2, main h3')].filter(visible);
  for (const h of heads) {
    let ok = false;
    const level = Number(h.tagName[1]);
    // Walk the following elements in document order.
    const all = [...document.querySelectorAll('main *')];
    for (let i = all.indexOf(h) + 1; i < all.length; i++) {
      const e = all[i];
      if (h.contains(e)) continue;
      if (/^H[1-6]$/.test(e.tagName) && Number(e.tagName[1]) <= level && visible(e)) break;
      if (e.closest('section') !== h.closest('section')) break;
      if (!/^H[1-6]$/.test(e.tagName) && visible(e) && (e.textContent.trim() || e.tagName === 'svg')) { ok = true; break; }
    }
    if (!ok) out.push(`heading without content: ${desc(h)}`);
  }
  if (opts.print) {
    // Paper is white: no element may keep a dark background or light text.
    const lum = (rgb) => {
      const m = rgb.match(/[\d.]+/g);
      if (!m) return null;
      const [r, g, b] = m.slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      const a = m.length > 3 ? Number(m[3]) : 1;
      return { l: 0.2126 * r + 0.7152 * g + 0.0722 * b, a };
    };
    let dark = 0;
    for (const el of document.querySelectorAll('body, body *')) {
      if (dark >= 3) break;
      if (!visible(el) || el.closest('svg')) continue;
      const cs = getComputedStyle(el);
      const bg = lum(cs.backgroundColor);
      if (bg && bg.a > 0.2 && bg.l < 0.6) { out.push(`dark background in print: ${desc(el)} (${cs.backgroundColor})`); dark++; }
      if (cs.backgroundImage && /gradient/.test(cs.backgroundImage) && /rgb\((\d+), (\d+), (\d+)\)/.test(cs.backgroundImage)) {
        const m = cs.backgroundImage.match(/rgba?\([^)]*\)/g) || [];
        for (const c of m) {
          const x = lum(c);
          if (x && x.a > 0.2 && x.l < 0.6) { out.push(`dark gradient in print: ${desc(el)}`); dark++; break; }
        }
      }
      const fg = lum(cs.color);
      if (fg && fg.l > 0.5 && el.childNodes.length && [...el.childNodes].some((n) => n.nodeType === 3 && n.data.trim())) {
        out.push(`light text in print: ${desc(el)} (${cs.color})`); dark++;
      }
    }
    for (const svg of document.querySelectorAll('svg.mr-chart')) {
      const bg = svg.querySelector('.mr-bg, rect');
      if (!bg) continue;
      const l = lum(getComputedStyle(bg).fill);
      if (l && l.l < 0.6) out.push(`chart keeps a dark background in print: ${svg.id || 'chart'}`);
    }
  }
  if (opts.theme && !opts.print) {
    // A page built with --theme: that theme whatever the reader prefers.
    const lum = (rgb) => {
      const m = rgb.match(/[\d.]+/g);
      if (!m) return NaN;
      const [r, g, b] = m.slice(0, 3).map((v) => {
        const c = Number(v) / 255;
        return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const dark = opts.theme === 'dark';
    const looks = (l) => (dark ? l < 0.05 : l > 0.8);
    const body = getComputedStyle(document.body);
    if (!looks(lum(body.backgroundColor))) out.push(`--theme ${opts.theme}: page background ${body.backgroundColor}`);
    const textL = lum(body.color);
    if (!(dark ? textL > 0.5 : textL < 0.1)) out.push(`--theme ${opts.theme}: text ${body.color}`);
    const charts = [...document.querySelectorAll('.chart-box svg.mr-chart')].filter(visible);
    if (!charts.length) out.push(`--theme ${opts.theme}: no chart to check`);
    for (const svg of charts) {
      const bg = svg.querySelector('rect.bg');
      const f = bg ? getComputedStyle(bg).fill : '';
      if (!bg || !looks(lum(f))) { out.push(`--theme ${opts.theme}: chart background ${f || 'missing'}: ${svg.id}`); break; }
    }
  }
  return out;
}

// Runs inside the page, with every <details> opened: the tables at this
// width. On a phone none is wider than its box, and each one in a .cards
// box (.mrp-cards in a single page) is stacked with every body cell
// labelled by its column's header; on a tablet none is wider than its box,
// and each is a table or (in a .cards box) stacked and labelled as on a
// phone; on a desktop every table is a table and no label shows. Returns
// [findings, for each shown table in a .cards box its first row as
// [label, text] pairs, or null when it is not stacked] for the
// screen-reader check.
function tableFindings(opts) {
  const out = [];
  const rows = [];
  for (const d of document.querySelectorAll('details')) d.open = true;
  const shown = (el) => el.getBoundingClientRect().width > 0 && getComputedStyle(el).visibility !== 'hidden';
  const name = (t) => `${t.className || 'table'} "${(t.caption ? t.caption.textContent : t.textContent).trim().slice(0, 30)}"`;
  // A header's own text, before any <br> or sub-line ("Best vs baseline").
  const headText = (th) => {
    let s = '';
    for (const n of th.childNodes) {
      if (n.nodeType === 1 && (n.tagName === 'BR' || n.classList.contains('sub'))) break;
      s += n.textContent;
    }
    return s.replace(/\s+/g, ' ').trim();
  };
  const tables = [...document.querySelectorAll('table')].filter(shown);
  if (!tables.length) return [out, rows];
  for (const t of tables) {
    const disp = getComputedStyle(t).display;
    const cells = [...t.querySelectorAll('tbody td')];
    if (!opts.narrow && !opts.tablet) {
      if (disp !== 'table') out.push(`not laid out as a table: ${name(t)} (display ${disp})`);
      const labelled = cells.find((c) => getComputedStyle(c, '::before').content !== 'none');
      if (labelled) out.push(`a cell shows a label on a desktop: ${name(t)}`);
      continue;
    }
    const box = t.closest('.table-wrap, .mrp-table-wrap') || t.parentElement;
    if (t.scrollWidth > box.clientWidth + 1)
      out.push(`table wider than the screen: ${name(t)} (${t.scrollWidth} > ${box.clientWidth} px)`);
    const cards = t.closest('.cards, .mrp-cards');
    if (!cards) {
      if (disp !== 'table') out.push(`not laid out as a table: ${name(t)} (display ${disp})`);
      continue;
    }
    if (disp === 'table') {
      if (opts.narrow) out.push(`wide table not stacked: ${name(t)}`);
      rows.push(null);
      continue;
    }
    const heads = t.tHead ? [...t.tHead.rows[0].cells].map(headText) : [];
    let bad = 0;
    for (const row of t.tBodies[0].rows) {
      [...row.cells].forEach((c, i) => {
        if (c.tagName !== 'TD' || bad >= 2) return;
        const label = c.getAttribute('data-label');
        const m = getComputedStyle(c, '::before').content.match(/^"((?:[^"\\]|\\.)*)"/);
        const on = m ? m[1].replace(/\\(.)/g, '$1') : null;
        if (!label) { out.push(`cell without a label: column ${i + 1} of ${name(t)}`); bad++; }
        else if (heads[i] === undefined || !label.startsWith(heads[i])) { out.push(`label "${label}" is not the header "${heads[i]}": ${name(t)}`); bad++; }
        else if (on !== label) { out.push(`label "${label}" not shown (${on}): ${name(t)}`); bad++; }
      });
    }
    rows.push([...t.tBodies[0].rows[0].cells].filter((c) => c.tagName === 'TD')
      .map((c) => [c.getAttribute('data-label') || '', c.textContent.trim()]));
  }
  return [out, rows];
}

// The stacked tables as a screen reader gets them (Chromium's accessibility
// tree): a table with its column headers, and first-row cells whose names
// are their text alone (the visible label is not read out twice).
async function screenReaderFindings(ctx, page, rows) {
  const out = [];
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Accessibility.enable');
  const role = async (nodeId) => {
    const { nodes } = await cdp.send('Accessibility.getPartialAXTree', { nodeId, fetchRelatives: false });
    const n = nodes.find((x) => !x.ignored) || nodes[0];
    return { id: n.nodeId, role: n.role ? n.role.value : '', name: n.name ? n.name.value : '' };
  };
  const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
  const sel = '.cards table, .mrp-cards table';
  const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: sel });
  const shown = await page.evaluate((s) => [...document.querySelectorAll(s)].map((t) => t.getBoundingClientRect().width > 0), sel);
  let k = 0;
  for (let i = 0; i < nodeIds.length && out.length < 4; i++) {
    if (!shown[i]) continue;
    const want = rows[k++];
    if (want === null) continue; // a table on a tablet, not stacked
    const t = await role(nodeIds[i]);
    if (t.role !== 'table') { out.push(`stacked table ${i + 1} is a "${t.role}" to a screen reader`); continue; }
    const heads = (await cdp.send('DOM.querySelectorAll', { nodeId: nodeIds[i], selector: 'thead th' })).nodeIds;
    if (!heads.length || (await role(heads[0])).role !== 'columnheader') out.push(`stacked table ${i + 1}: no column headers for a screen reader`);
    const cells = (await cdp.send('DOM.querySelectorAll', { nodeId: nodeIds[i], selector: 'tbody tr:first-child td' })).nodeIds;
    for (let j = 0; j < cells.length && j < want.length; j++) {
      const c = await role(cells[j]);
      const [label, text] = want[j];
      if (c.role !== 'cell') { out.push(`stacked table ${i + 1}: cell ${j + 1} is a "${c.role}"`); break; }
      // A label read out is a text of its own (in a box of its own) before
      // the cell's content.
      const said = [];
      const { nodes: kids } = await cdp.send('Accessibility.getChildAXNodes', { id: c.id });
      for (const x of kids.slice(0, 2)) {
        if (x.name && x.name.value) said.push(x.name.value.trim());
        if (x.role && x.role.value === 'generic') {
          const { nodes: sub } = await cdp.send('Accessibility.getChildAXNodes', { id: x.nodeId });
          said.push(...sub.filter((y) => y.name && y.name.value).map((y) => y.name.value.trim()));
        }
      }
      if (label && label !== text && said.includes(label)) { out.push(`stacked table ${i + 1}: cell "${c.name}" reads its label "${label}"`); break; }
    }
  }
  await cdp.detach();
  return out;
}

const browser = await playwright.chromium.launch({
  executablePath: exe,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});

const modes = [
  { label: 'desktop light', width: 1400, height: 1000, scheme: 'light' },
  { label: 'desktop dark', width: 1400, height: 1000, scheme: 'dark' },
  // Tablets: the layout is the theme's either way, so one theme a width
  // (the dark cards' colours at 820 px), keeping the audit's time down.
  { label: 'tablet 1024 light', width: 1024, height: 768, scheme: 'light', tablet: true },
  { label: 'tablet 820 dark', width: 820, height: 1180, scheme: 'dark', tablet: true, mobile: true },
  { label: 'tablet 701 light', width: 701, height: 1024, scheme: 'light', tablet: true, mobile: true },
  { label: 'phone light', width: 390, height: 844, scheme: 'light', narrow: true, mobile: true },
  { label: 'phone dark', width: 390, height: 844, scheme: 'dark', narrow: true, mobile: true },
  // A4 (210 mm) less 2 x 12 mm margins at 96 px/in: about 703 px.
  { label: 'print from dark', width: 703, height: 1000, scheme: 'dark', print: true },
];

try {
  for (const file of pages) {
    const abs = path.resolve(file);
    const rel = path.relative(process.cwd(), abs);
    const pname = path.basename(path.dirname(abs)) + '/' + path.basename(abs);
    if (!existsSync(abs)) { fail(`${pname}`, `no page at ${rel}`); continue; }
    const root = path.dirname(abs);
    for (const m of modes) {
      const ctx = await browser.newContext({
        viewport: { width: m.width, height: m.height },
        deviceScaleFactor: 1, isMobile: !!m.mobile, hasTouch: !!m.mobile,
        colorScheme: m.scheme, reducedMotion: 'reduce',
      });
      const page = await ctx.newPage();
      const problems = [];
      page.on('console', (msg) => {
        const t = msg.text();
        if (/Content Security Policy|Refused to/.test(t)) problems.push(`CSP: ${t.slice(0, 160)}`);
      });
      page.on('request', (req) => {
        const u = req.url();
        if (u.startsWith('data:') || u === 'about:blank') return;
        if (!u.startsWith('file://')) { problems.push(`request to another origin: ${u}`); return; }
        // A page of a site may fetch from its own site (../assets).
        const p = decodeURIComponent(new URL(u).pathname);
        const siteRoot = process.env.AUDIT_ROOT ? path.resolve(process.env.AUDIT_ROOT) : root;
        if (!p.startsWith(siteRoot)) problems.push(`request outside the site: ${p}`);
      });
      page.on('requestfailed', (req) => problems.push(`failed to load: ${req.url()}`));
      await page.goto(pathToFileURL(abs).href, { waitUntil: 'load' });
      if (m.print) await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
      const where = `${pname} ${m.label}`;
      const found = await page.evaluate(layoutFindings, { narrow: !!m.narrow, tablet: !!m.tablet, print: !!m.print, theme });
      for (const [sel, prop, want] of expects) {
        const got = await page.evaluate(([q, pr]) => {
          const el = document.querySelector(q);
          return el ? getComputedStyle(el).getPropertyValue(pr) : null;
        }, [sel, prop]);
        if (got !== want) found.push(`style: ${sel} ${prop} is ${got === null ? 'no such element' : got}, want ${want}`);
      }
      // axe-core runs through the debugging protocol, which the page's CSP
      // does not govern; results are independent of the page's own script.
      await page.evaluate(axeSource);
      const axe = await page.evaluate(async () => {
        // eslint-disable-next-line no-undef
        const r = await axe.run(document, {
          runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          resultTypes: ['violations'], preload: false,
        });
        return r.violations.map((v) => `${v.id} (${v.nodes.length}): ${v.nodes[0].target.join(' ')}${v.nodes[0].failureSummary ? ' - ' + v.nodes[0].failureSummary.split('\n').slice(1, 2).join('').trim() : ''}`);
      });
      if (axe.length) fail(`${where}: axe-core`, axe.join('; '));
      else pass(`${where}: axe-core`);
      const all = found.concat(problems);
      if (all.length) fail(`${where}: layout`, all.slice(0, +(process.env.AUDIT_MAX || 6)).join('; ') + (all.length > +(process.env.AUDIT_MAX || 6) ? ` (+${all.length - +(process.env.AUDIT_MAX || 6)})` : ''));
      else pass(`${where}: layout`);
      if (shots) {
        mkdirSync(shots, { recursive: true });
        const stem = path.join(shots, `${name}-${pname.replace(/[^a-z0-9]+/gi, '-')}-${m.label.replace(/ /g, '-')}`);
        if (m.print) {
          await page.pdf({ path: `${stem}.pdf`, format: 'A4', printBackground: true,
            margin: { top: '12mm', bottom: '12mm', left: '12mm', right: '12mm' } });
        } else {
          await page.screenshot({ path: `${stem}.png`, fullPage: true });
        }
      }
      const [tf, rows] = await page.evaluate(tableFindings, { narrow: !!m.narrow, tablet: !!m.tablet });
      if (m.narrow || m.tablet) tf.push(...await screenReaderFindings(ctx, page, rows));
      if (tf.length) fail(`${where}: tables`, tf.slice(0, 6).join('; ') + (tf.length > 6 ? ` (+${tf.length - 6})` : ''));
      else pass(`${where}: tables ${m.narrow ? 'fit, stacked and labelled, still tables'
        : m.tablet ? `fit, ${rows.filter(Boolean).length} stacked and labelled, still tables` : 'laid out as tables'}`);
      await ctx.close();
    }
  }
} finally {
  await browser.close();
}
