{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en"{{#THEME}} data-theme="{{NAME}}"{{/THEME}}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="{{COLOR_SCHEME}}">
<meta name="generator" content="memreport {{VERSION}}">
<title>{{TITLE}} · memory report</title>
<meta name="description" content="{{SHARE_DESCRIPTION}}">
<meta property="og:type" content="article">
<meta property="og:title" content="{{TITLE}}">
<meta property="og:description" content="{{SHARE_DESCRIPTION}}">
{{#OG_IMAGE}}<meta property="og:image" content="{{SRC}}">
{{/OG_IMAGE}}<link rel="stylesheet" href="{{ASSETS}}style.css">
<link rel="icon" type="image/svg+xml" href="{{ASSETS}}favicon.svg">
{{#THEME_CSS}}<link rel="stylesheet" href="{{HREF}}">
{{/THEME_CSS}}{{#CANONICAL}}<link rel="canonical" href="{{URL}}">
<meta property="og:url" content="{{URL}}">
{{/CANONICAL}}{{#FEED}}<link rel="alternate" type="application/atom+xml" title="Memory experiments (Atom feed)" href="{{HREF}}">
{{/FEED}}</head>
<body>
<a class="skip" href="#main">Skip to the report</a>
{{THEME_HEADER:none}}<header class="masthead">
<div class="wrap">
{{#SITE_NAV}}<nav class="crumbs" aria-label="Site">
<ul>
<li><a href="{{INDEX}}">All experiments</a></li>
{{#SITE_COMPARE}}<li><a href="{{HREF}}">Allocator comparison</a></li>
{{/SITE_COMPARE}}</ul>
</nav>
{{/SITE_NAV}}<p class="eyebrow">Relay memory experiment</p>
<h1>{{TITLE}}</h1>
<p class="meta">{{#META}}<span>{{TEXT}}</span>{{/META}}</p>
<nav aria-label="Sections">
<ul>
<li><a href="#summary">Summary</a></li>
<li><a href="#setup">Setup</a></li>
<li><a href="#results">Results</a></li>
<li><a href="#charts">Charts</a></li>
<li><a href="#analysis">Analysis</a></li>
<li><a href="#quality">Data quality</a></li>
<li><a href="#events">Events</a></li>
{{#HAS_NOTES}}<li><a href="#notes">Notes</a></li>
{{/HAS_NOTES}}<li><a href="#data">Data</a></li>
</ul>
</nav>
</div>
</header>
<main id="main" class="wrap">

<section id="summary" aria-labelledby="h-summary">
<h2 id="h-summary">Executive summary <a class="permalink" href="#summary" aria-label="Permalink">#</a></h2>
<div class="kpis">
{{#KPI}}<div class="kpi">
<p class="kpi-label">{{LABEL}}</p>
<p class="kpi-value">{{VALUE}}</p>
<p class="kpi-note">{{NOTE}}</p>
</div>
{{/KPI}}</div>
<dl class="summary">
{{#PROBLEM}}<dt>Problem</dt><dd>{{TEXT}}</dd>
{{/PROBLEM}}{{#HYPOTHESIS}}<dt>Hypothesis</dt><dd>{{TEXT}}</dd>
{{/HYPOTHESIS}}<dt>Result</dt><dd>{{RESULT:none}}</dd>
{{#RECOMMENDATION}}<dt>Recommendation</dt><dd>{{TEXT}}</dd>
{{/RECOMMENDATION}}</dl>
</section>

<section id="setup" aria-labelledby="h-setup">
<h2 id="h-setup">Experiment setup <a class="permalink" href="#setup" aria-label="Permalink">#</a></h2>
{{#DESCRIPTION}}<p>{{TEXT}}</p>
{{/DESCRIPTION}}<div class="table-wrap" tabindex="0" role="region" aria-labelledby="setup-host">
<table class="kv">
<caption id="setup-host">Host and period</caption>
<tbody>
{{#SETUP}}<tr><th scope="row">{{KEY}}</th><td>{{VALUE}}</td></tr>
{{/SETUP}}</tbody>
</table>
</div>
{{#HAS_GROUPS}}<div class="table-wrap cards cards-wide" tabindex="0" role="region" aria-labelledby="setup-groups">
<table class="groups">
<caption id="setup-groups">Groups<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Group</th><th scope="col">Name</th>{{#CFGH}}<th scope="col">{{K}}</th>{{/CFGH}}<th scope="col" class="num">Relays</th><th scope="col">Window</th><th scope="col">Members from</th></tr></thead>
<tbody>
{{#GROUP}}<tr><th scope="row"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{{COLOR}}"/></svg> {{ID}}</th><td data-label="Name">{{NAME}}</td>{{#CFG}}<td data-label="{{L}}">{{V}}</td>{{/CFG}}<td class="num" data-label="Relays">{{RELAYS}}</td><td class="nowrap" data-label="Window">{{WINDOW}}</td><td class="wide" data-label="Members from"><code>{{MEMBERS}}</code></td></tr>
{{/GROUP}}</tbody>
</table>
</div>
{{/HAS_GROUPS}}</section>

<section id="results" aria-labelledby="h-results">
<h2 id="h-results">Results <a class="permalink" href="#results" aria-label="Permalink">#</a></h2>
{{#NO_GROUPS}}<p>{{TEXT}}</p>
{{/NO_GROUPS}}{{#HAS_GROUPS}}<div class="table-wrap cards cards-wide" tabindex="0" role="region" aria-labelledby="results-final">
<table class="metrics">
<caption id="results-final">Final metrics, {{FINAL_WHEN}}<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Group</th><th scope="col">Name</th><th scope="col" class="num">Relays</th><th scope="col" class="num">Mean RSS (GiB)</th><th scope="col">vs baseline {{BASELINE}}{{#BASELINE_HIDDEN}} (not shown){{/BASELINE_HIDDEN}} ({{BASELINE}} ÷ group, 95% CI)</th><th scope="col">Steady growth, GiB/day (95% CI)</th><th scope="col">Trend</th></tr></thead>
<tbody>
{{#FINAL}}<tr class="{{ROWCLASS}}" id="group-{{FILEID}}"><th scope="row"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{{COLOR}}"/></svg> {{ID}} <a class="permalink" href="#group-{{FILEID}}" aria-label="Permalink to group {{ID}}">#</a></th><td class="wide" data-label="Name">{{NAME}}</td><td class="num" data-label="Relays">{{RELAYS}}</td><td class="num" data-label="Mean RSS (GiB)">{{MEAN}}</td><td class="nowrap wide" data-label="vs baseline {{BASELINE}}{{#BASELINE_HIDDEN}} (not shown){{/BASELINE_HIDDEN}} ({{BASELINE}} ÷ group, 95% CI)">{{VS}}</td><td class="num" data-label="Steady growth, GiB/day (95% CI)">{{GROWTH}}</td><td data-label="Trend"><span class="trend trend-{{TRENDCLASS}}">{{TREND}}</span></td></tr>
{{/FINAL}}</tbody>
</table>
</div>
<p class="note">{{FINAL_NOTE}}</p>
{{#RANKS}}
<div class="table-wrap cards" tabindex="0" role="region" aria-labelledby="results-ranks">
<table class="ranks">
<caption id="results-ranks">Relays<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col" class="num">#</th><th scope="col">Highest final RSS</th><th scope="col" class="num">GiB</th><th scope="col">Lowest final RSS</th><th scope="col" class="num">GiB</th><th scope="col">Fastest steady growth</th><th scope="col" class="num">GiB/day</th></tr></thead>
<tbody>
{{#RANK}}<tr><th scope="row" class="num">{{N}}</th><td data-label="Highest final RSS">{{TOPN}}</td><td class="num" data-label="GiB">{{TOPV}}</td><td data-label="Lowest final RSS">{{BOTN}}</td><td class="num" data-label="GiB">{{BOTV}}</td><td data-label="Fastest steady growth">{{FASTN}}</td><td class="num" data-label="GiB/day">{{FASTV}}</td></tr>
{{/RANK}}</tbody>
</table>
</div>
<p class="note">{{RANK_NOTE}}</p>
{{/RANKS}}
<div class="table-wrap cards" tabindex="0" role="region" aria-labelledby="results-days">
<table class="days">
<caption id="results-days">Memory growth over time (mean RSS per relay, GiB)<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Group</th>{{#DAYH}}<th scope="col" class="num">Day {{N}}</th>{{/DAYH}}<th scope="col">Trend</th></tr></thead>
<tbody>
{{#DAYROW}}<tr><th scope="row">{{LABEL}}</th>{{#CELL}}<td class="num" data-label="{{L}}">{{V}}</td>{{/CELL}}<td data-label="Trend"><span class="trend trend-{{TRENDCLASS}}">{{TREND}}</span></td></tr>
{{/DAYROW}}</tbody>
</table>
</div>
<p class="note">{{DAY_NOTE}}</p>
{{/HAS_GROUPS}}</section>

<section id="charts" aria-labelledby="h-charts">
<h2 id="h-charts">Charts <a class="permalink" href="#charts" aria-label="Permalink">#</a></h2>
{{#CHART}}<figure class="chart" id="chart-{{NAME}}">
<div class="chart-box{{#NARROW}} has-narrow{{/NARROW}}">{{SVG:none}}</div>
{{#NARROW}}<div class="chart-box chart-narrow">{{SVG:none}}</div>
{{/NARROW}}
<figcaption><strong>{{TITLE}}.</strong> {{CAPTION}}</figcaption>
</figure>
{{#DATA}}<details class="chart-data"><summary>Data: {{TITLE}}</summary>
<div class="table-wrap cards{{#WIDE}} cards-wide{{/WIDE}}" tabindex="0" role="region" aria-labelledby="data-{{NAME}}">
<table class="chart-table">
<caption id="data-{{NAME}}">{{NOTE}}<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">{{HEAD0}}</th>{{#HCOL}}<th scope="col" class="num">{{V}}</th>{{/HCOL}}</tr></thead>
<tbody>
{{#DROW}}<tr><th scope="row" class="nowrap">{{TH}}</th>{{#DCELL}}<td class="num" data-label="{{L}}">{{V}}</td>{{/DCELL}}</tr>
{{/DROW}}</tbody>
</table>
</div>
</details>
{{/DATA}}{{/CHART}}{{#NO_CHARTS}}<p>No charts were drawn.</p>
{{/NO_CHARTS}}</section>

<section id="analysis" aria-labelledby="h-analysis">
<h2 id="h-analysis">Analysis <a class="permalink" href="#analysis" aria-label="Permalink">#</a></h2>
<ul class="bullets">
{{#BULLET}}<li>{{TEXT:none}}</li>
{{/BULLET}}</ul>
</section>

<section id="quality" aria-labelledby="h-quality">
<h2 id="h-quality">Data quality <a class="permalink" href="#quality" aria-label="Permalink">#</a></h2>
{{#QUALITY_LIST}}<ul class="findings">
{{#QUALITY}}<li class="{{CLASS}}">{{TEXT}}{{#WHERE}} <span class="where">{{TEXT}}</span>{{/WHERE}}</li>
{{/QUALITY}}</ul>
{{/QUALITY_LIST}}{{#QUALITY_OK}}<p>No data-quality problems were found: no duplicate or out-of-order rows, no relay in two groups, no listed member without samples.</p>
{{/QUALITY_OK}}</section>

<section id="events" aria-labelledby="h-events">
<h2 id="h-events">Events <a class="permalink" href="#events" aria-label="Permalink">#</a></h2>
{{#EVENTS}}<div class="table-wrap cards" tabindex="0" role="region" aria-labelledby="events-table">
<table class="events">
<caption id="events-table">Timeline from events.csv (numbers match the markers on the time-series chart)<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col" class="num">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Description</th><th scope="col">Group</th></tr></thead>
<tbody>
{{#EVENT}}<tr><td class="num" data-label="#">{{N}}</td><td class="nowrap" data-label="Time">{{TIME}}</td><td data-label="Type"><span class="tag">{{TYPE}}</span></td><td class="wide" data-label="Description">{{DESCRIPTION}}</td><td data-label="Group">{{GROUP}}</td></tr>
{{/EVENT}}</tbody>
</table>
</div>
{{/EVENTS}}{{#NO_EVENTS}}<p>No events.csv in the experiment directory.</p>
{{/NO_EVENTS}}</section>

{{#HAS_NOTES}}<section id="notes" class="notes" aria-label="Notes">
{{NOTES_HTML:none}}
</section>

{{/HAS_NOTES}}<section id="data" aria-labelledby="h-data">
<h2 id="h-data">Data <a class="permalink" href="#data" aria-label="Permalink">#</a></h2>
<div class="downloads-block">
<h3>Downloads</h3>
<ul class="downloads">
{{#DOWNLOAD}}<li><a href="{{HREF}}" download>{{LABEL}}</a> <span class="hint">{{NOTE}}</span></li>
{{/DOWNLOAD}}</ul>
</div>
<h3>Inputs</h3>
<p>{{EXPERIMENT}} · {{PERIOD_FULL}} · {{RELAYS_LINE}}</p>
<div class="table-wrap" tabindex="0" role="region" aria-labelledby="data-inputs">
<table class="inputs">
<caption id="data-inputs">Files read (SHA-256 of each)</caption>
<thead><tr><th scope="col">File</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Size</th><th scope="col">SHA-256</th></tr></thead>
<tbody>
{{#INPUT}}<tr><td><code>{{PATH_HTML:none}}</code></td><td class="num">{{ROWS}}</td><td class="num">{{BYTES}}</td><td><code class="hash">{{SHA}}</code></td></tr>
{{/INPUT}}</tbody>
</table>
</div>
<h3>How to regenerate</h3>
<pre><code>{{COMMAND}}</code></pre>
</section>
</main>
<footer class="wrap foot">
<p>{{GENERATED}}</p>
{{#SITE_NAV}}<p><a href="{{INDEX}}">Back to all experiments</a></p>
{{/SITE_NAV}}</footer>
{{THEME_FOOTER:none}}</body>
</html>
