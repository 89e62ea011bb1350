{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="memreport {{VERSION}}">
<title>Allocator comparison · {{TITLE}}</title>
<meta name="description" content="{{SHARE_DESCRIPTION}}">
<meta property="og:type" content="website">
<meta property="og:title" content="{{SHARE_TITLE}}">
<meta property="og:description" content="{{SHARE_DESCRIPTION}}">
<link rel="stylesheet" href="assets/style.css">
<link rel="icon" type="image/svg+xml" href="assets/favicon.svg">
{{#THEME_CSS}}<link rel="stylesheet" href="{{HREF}}">
{{/THEME_CSS}}{{#CANONICAL}}<link rel="canonical" href="{{URL}}">
<meta property="og:url" content="{{URL}}">
{{/CANONICAL}}{{#FEED}}<link rel="alternate" type="application/atom+xml" title="Memory experiments (Atom feed)" href="{{HREF}}">
{{/FEED}}</head>
<body>
<a class="skip" href="#main">Skip to the comparison</a>
{{THEME_HEADER:none}}<header class="masthead">
<div class="wrap">
<p class="eyebrow">Relay memory experiments</p>
<h1>Allocator comparison</h1>
<p class="meta"><span>{{NALLOC}} allocator{{NALLOC_S}} in more than one experiment</span><span>{{NEXP}} experiment{{NEXP_S}}</span></p>
<nav aria-label="Pages">
<ul>
<li><a href="index.html">Experiments</a></li>
<li><a href="compare.html" aria-current="page">Allocator comparison</a></li>
</ul>
</nav>
</div>
</header>
<main id="main" class="wrap">
<section id="how" aria-labelledby="h-how">
<h2 id="h-how">How to read this page</h2>
<p>Every ratio on this site is the reference's final mean divided by the group's, so above 1 means less memory: here the reference is the <em>control</em> of the group's own experiment (the manifest's <code>control</code>, else a group whose name or config says control, then default, then glibc, else the baseline). <em>% less memory than control</em> is the same figure as a percentage, 100 × (1 − group mean ÷ control mean), with its 95% bootstrap interval over relays. Final mean is the mean RSS per relay at the group's final snapshot; steady growth is the restart-aware growth rate.</p>
</section>
<section id="ranking" aria-labelledby="h-ranking">
<h2 id="h-ranking">Every group against its own control</h2>
{{#HAS_RANK}}<div class="table-wrap cards cards-wide" tabindex="0" role="region" aria-labelledby="cap-ranking">
<table class="compare ranking">
<caption id="cap-ranking">{{NRANKED}} group{{NRANKED_S}} in {{NEXP}} experiment{{NEXP_S}}, ranked by % less memory than their own control (ratio = control mean ÷ group mean); each experiment's control last<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col" class="num">Rank</th><th scope="col">Group</th><th scope="col">Experiment</th><th scope="col">Differs from control by</th><th scope="col" class="num">Relays</th><th scope="col" class="num">Final mean (GiB)</th><th scope="col">Control</th><th scope="col" class="num">% less memory than control (95% CI)</th><th scope="col" class="num">Control ÷ group</th><th scope="col">Note</th></tr></thead>
<tbody>
{{#RANK}}<tr class="{{ROW_CLASS}}"><td class="num" data-label="Rank">{{RANK}}</td><th scope="row"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{{COLOR}}"/></svg> {{GROUP}}</th><td class="wide" data-label="Experiment"><a href="{{HREF}}">{{EXPERIMENT}}</a></td><td class="wide" data-label="Differs from control by">{{DIFFERS}}</td><td class="num" data-label="Relays">{{RELAYS}}</td><td class="num" data-label="Final mean (GiB)">{{MEAN}}</td><td class="nowrap" data-label="Control">{{CONTROL}}</td><td class="num nowrap" data-label="% less memory than control (95% CI)">{{PCT}}</td><td class="num" data-label="Control ÷ group">{{RATIO}}</td><td class="wide" data-label="Note">{{NOTE}}</td></tr>
{{/RANK}}</tbody>
</table>
</div>
{{/HAS_RANK}}{{#NO_RANK}}<p>No group has a final snapshot to compare.</p>
{{/NO_RANK}}</section>
{{#ALLOC}}<section id="alloc-{{ANCHOR}}" aria-labelledby="h-alloc-{{ANCHOR}}">
<h2 id="h-alloc-{{ANCHOR}}">{{NAME}}</h2>
<div class="table-wrap cards" tabindex="0" role="region" aria-labelledby="cap-{{ANCHOR}}">
<table class="compare">
<caption id="cap-{{ANCHOR}}">{{NROWS}} group{{NROWS_S}} running {{NAME}} in {{NEXPS}} experiments<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<colgroup><col class="c-version"><col class="c-exp"><col class="c-group"><col class="c-relays"><col class="c-mean"><col class="c-growth"><col class="c-vs"></colgroup>
<thead><tr><th scope="col">Version</th><th scope="col">Experiment</th><th scope="col">Group</th><th scope="col" class="num">Relays</th><th scope="col" class="num">Final mean (GiB)</th><th scope="col" class="num">Steady growth (GiB/day)</th><th scope="col" class="num">vs control (control ÷ group)</th></tr></thead>
<tbody>
{{#ROW}}<tr><th scope="row">{{VERSION}}</th><td class="wide" data-label="Experiment"><a href="{{HREF}}">{{EXPERIMENT}}</a></td><td class="wide" data-label="Group"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{{COLOR}}"/></svg> {{GROUP}}</td><td class="num" data-label="Relays">{{RELAYS}}</td><td class="num" data-label="Final mean (GiB)">{{MEAN}}</td><td class="num" data-label="Steady growth (GiB/day)">{{GROWTH}}</td><td class="num" data-label="vs control (control ÷ group)">{{VS}}</td></tr>
{{/ROW}}</tbody>
</table>
</div>
</section>
{{/ALLOC}}{{#NO_ALLOC}}<section id="none" aria-label="No shared allocator">
<p>No allocator appears in more than one experiment.</p>
</section>
{{/NO_ALLOC}}</main>
<footer class="wrap foot">
<p>{{GENERATED}}</p>
</footer>
{{THEME_FOOTER:none}}</body>
</html>
