{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="memreport {{VERSION}}">
<title>{{TITLE}}</title>
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
<a class="skip" href="#main">Skip to the list</a>
{{THEME_HEADER:none}}<header class="masthead">
<div class="wrap">
<p class="eyebrow">Relay memory experiments</p>
<h1>{{TITLE}}</h1>
<p class="meta"><span>{{NEXP}} experiment{{NEXP_S}}</span>{{#HAS_FAILED}}<span>{{NFAILED}} could not be read</span>{{/HAS_FAILED}}</p>
<nav aria-label="Pages">
<ul>
<li><a href="index.html" aria-current="page">Experiments</a></li>
<li><a href="compare.html">Allocator comparison</a></li>
</ul>
</nav>
</div>
</header>
<main id="main" class="wrap">
<section id="experiments" aria-labelledby="h-experiments">
<h2 id="h-experiments">Experiments</h2>
{{#HAS_EXPERIMENTS}}<div class="table-wrap cards cards-wide" tabindex="0" role="region" aria-labelledby="experiments-table">
<table class="experiments">
<caption id="experiments-table">One row per experiment, newest first. <span class="sub">Best vs baseline: the baseline group's final mean RSS divided by the best group's (the one ratio convention of every page here: above 1 means less memory), with its 95% interval. Last collection: how long before {{CLOCK}}; running means collections are still arriving, stopped reporting that they are not and the experiment has not ended. Group means: each group's mean RSS per relay over the experiment, on one scale per row.</span><span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Experiment</th><th scope="col">Server</th><th scope="col">Period</th><th scope="col" class="num">Groups</th><th scope="col">Best group</th><th scope="col" class="num">Best vs baseline<br><span class="sub">baseline ÷ best</span></th><th scope="col">Status</th><th scope="col">Last collection</th><th scope="col">Group means</th></tr></thead>
<tbody>
{{#EXP}}<tr><th scope="row"><a href="{{HREF}}">{{TITLE}}</a></th><td data-label="Server">{{SERVER}}</td><td data-label="Period"><span class="nowrap">{{FROM}} – {{TO}}</span><br><span class="sub">{{DAYS}}</span></td><td class="num" data-label="Groups">{{NGROUPS}}</td><td data-label="Best group">{{BEST}}</td><td class="num" data-label="Best vs baseline (baseline ÷ best)"><span class="nowrap">{{RATIO}}</span>{{#RATIO_CI}}<br><span class="sub">95% CI {{CI}}</span>{{/RATIO_CI}}{{#CAVEAT}}<br><span class="sub caveat">⚠ {{TEXT}}</span>{{/CAVEAT}}</td><td data-label="Status"><span class="tag status-{{STATUS_CLASS}}">{{STATUS}}</span></td><td data-label="Last collection"><span class="nowrap">{{LAST}}</span><br><span class="sub">{{AGE}}</span></td><td class="spark-cell wide" data-label="Group means">{{SPARK:none}}<span class="sub">{{SPARK_RANGE}}</span></td></tr>
{{/EXP}}</tbody>
</table>
</div>
{{/HAS_EXPERIMENTS}}{{#NO_EXPERIMENTS}}<p>No experiment could be read.</p>
{{/NO_EXPERIMENTS}}</section>
{{#HAS_FAILED}}<section id="failed" aria-labelledby="h-failed">
<h2 id="h-failed">Not included</h2>
<p>These directories hold a memory CSV but could not be read; the rest of the site was built without them.</p>
<ul class="findings">
{{#FAILED}}<li class="error"><code>{{DIR}}</code>: {{ERROR}}</li>
{{/FAILED}}</ul>
</section>
{{/HAS_FAILED}}<section id="about" aria-labelledby="h-about">
<h2 id="h-about">About this site</h2>
<p>Each experiment links to its full report with charts, data quality and downloads (per-group series and results CSV{{#ARCHIVE}}, and the results.sqlite archive{{/ARCHIVE}}). The <a href="compare.html">allocator comparison</a> lines up groups that run the same allocator in different experiments.</p>
<h3>How to regenerate</h3>
<pre><code>{{COMMAND}}</code></pre>
</section>
</main>
<footer class="wrap foot">
<p>{{GENERATED}}</p>
</footer>
{{THEME_FOOTER:none}}</body>
</html>
