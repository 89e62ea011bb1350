{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="{{COLOR_SCHEME}}">
<meta name="referrer" content="no-referrer">
<meta name="generator" content="memreport {{VERSION}}">
<title>{{TITLE}} · memory report</title>
</head>
<body>
<main>
<!-- memreport:begin -->
<!-- The report as one block for a blog post or any other page: copy from
     the memreport:begin line to the memreport:end line into the page's HTML.
     It needs nothing else: its stylesheet is inside it and styles only the
     block (every selector starts with .mrp, every class and id with mrp-),
     the charts are inline SVG, and it loads no file, font or script. -->
<article class="mrp"{{#THEME}} data-theme="{{NAME}}"{{/THEME}} id="report" aria-labelledby="title">
<header class="masthead">
<p class="eyebrow">Relay memory experiment</p>
<h2 id="title">{{TITLE}}{{#VIEW}}: {{TEXT}}{{/VIEW}}</h2>
<p class="meta">{{#META}}<span>{{TEXT}}</span>{{/META}}</p>
<nav aria-label="Report sections: {{TITLE}}{{#VIEW}}: {{TEXT}}{{/VIEW}}">
<ul>
<li><a href="#summary">Summary</a></li>
{{#HAS_GROUPS}}<li><a href="#results">Results</a></li>
{{/HAS_GROUPS}}<li><a href="#charts">Charts</a></li>
<li><a href="#setup">Setup</a></li>
{{#EVENTS}}<li><a href="#events">Events</a></li>
{{/EVENTS}}<li><a href="#quality">Data quality</a></li>
</ul>
</nav>
</header>

<section id="summary" aria-labelledby="h-summary title">
<h3 id="h-summary">Summary</h3>
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

{{#NO_GROUPS}}<p>{{TEXT}}</p>
{{/NO_GROUPS}}{{#HAS_GROUPS}}<section id="results" aria-labelledby="h-results title">
<h3 id="h-results">Results</h3>
<div class="table-wrap cards cards-wide" tabindex="0" role="region" aria-labelledby="results-final title">
<table class="metrics">
<caption id="results-final">Final metrics, {{FINAL_WHEN}}<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Group</th><th scope="col">Name</th><th scope="col" class="num">Relays</th><th scope="col" class="num">Mean RSS (GiB)</th><th scope="col">vs baseline {{BASELINE}} ({{BASELINE}} ÷ group, 95% CI)</th><th scope="col">Steady growth, GiB/day (95% CI)</th><th scope="col">Trend</th></tr></thead>
<tbody>
{{#FINAL}}<tr class="{{ROWCLASS}}" id="group-{{FILEID}}"><th scope="row"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{{COLOR}}"/></svg> {{ID}}</th><td class="wide" data-label="Name">{{NAME}}</td><td class="num" data-label="Relays">{{RELAYS}}</td><td class="num" data-label="Mean RSS (GiB)">{{MEAN}}</td><td class="nowrap wide" data-label="vs baseline {{BASELINE}} ({{BASELINE}} ÷ group, 95% CI)">{{VS}}</td><td class="num" data-label="Steady growth, GiB/day (95% CI)">{{GROWTH}}</td><td data-label="Trend"><span class="trend trend-{{TRENDCLASS}}">{{TREND}}</span></td></tr>
{{/FINAL}}</tbody>
</table>
</div>
<p class="note">{{FINAL_NOTE}}</p>
<div class="table-wrap cards" tabindex="0" role="region" aria-labelledby="results-days title">
<table class="days">
<caption id="results-days">Memory growth over time (mean RSS per relay, GiB)<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Group</th>{{#DAYH}}<th scope="col" class="num">Day {{N}}</th>{{/DAYH}}<th scope="col">Trend</th></tr></thead>
<tbody>
{{#DAYROW}}<tr><th scope="row">{{LABEL}}</th>{{#CELL}}<td class="num" data-label="{{L}}">{{V}}</td>{{/CELL}}<td data-label="Trend"><span class="trend trend-{{TRENDCLASS}}">{{TREND}}</span></td></tr>
{{/DAYROW}}</tbody>
</table>
</div>
<p class="note">{{DAY_NOTE}}</p>
</section>
{{/HAS_GROUPS}}
<section id="charts" aria-labelledby="h-charts title">
<h3 id="h-charts">Charts</h3>
{{#CHART}}<figure class="chart" id="chart-{{NAME}}">
<div class="chart-box{{#NARROW}} has-narrow{{/NARROW}}">{{SVG:none}}</div>
{{#NARROW}}<div class="chart-box chart-narrow">{{SVG:none}}</div>
{{/NARROW}}
<figcaption><strong>{{TITLE}}.</strong> {{CAPTION}}</figcaption>
</figure>
{{#DATA}}<details class="chart-data"><summary>Data: {{TITLE}}</summary>
<div class="table-wrap cards{{#WIDE}} cards-wide{{/WIDE}}" tabindex="0" role="region" aria-labelledby="data-{{NAME}} title">
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

<section id="setup" aria-labelledby="h-setup title">
<h3 id="h-setup">Setup</h3>
{{#DESCRIPTION}}<p>{{TEXT}}</p>
{{/DESCRIPTION}}<div class="table-wrap" tabindex="0" role="region" aria-labelledby="setup-host title">
<table class="kv">
<caption id="setup-host">Host and period</caption>
<tbody>
{{#SETUP}}<tr><th scope="row">{{KEY}}</th><td>{{VALUE}}</td></tr>
{{/SETUP}}</tbody>
</table>
</div>
{{#HAS_GROUPS}}<div class="table-wrap cards cards-wide" tabindex="0" role="region" aria-labelledby="setup-groups title">
<table class="groups">
<caption id="setup-groups">Groups<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col">Group</th><th scope="col">Name</th>{{#CFGH}}<th scope="col">{{K}}</th>{{/CFGH}}<th scope="col" class="num">Relays</th><th scope="col">Window</th></tr></thead>
<tbody>
{{#GROUP}}<tr><th scope="row"><svg class="swatch" width="12" height="12" viewBox="0 0 12 12" aria-hidden="true"><rect width="12" height="12" rx="3" fill="{{COLOR}}"/></svg> {{ID}}</th><td data-label="Name">{{NAME}}</td>{{#CFG}}<td data-label="{{L}}">{{V}}</td>{{/CFG}}<td class="num" data-label="Relays">{{RELAYS}}</td><td class="nowrap" data-label="Window">{{WINDOW}}</td></tr>
{{/GROUP}}</tbody>
</table>
</div>
{{/HAS_GROUPS}}</section>

{{#EVENTS}}<section id="events" aria-labelledby="h-events title">
<h3 id="h-events">Events</h3>
<div class="table-wrap cards" tabindex="0" role="region" aria-labelledby="events-table title">
<table class="events">
<caption id="events-table">Timeline (numbers match the markers on the time-series chart)<span class="scroll-hint" aria-hidden="true">Scroll sideways for more columns →</span></caption>
<thead><tr><th scope="col" class="num">#</th><th scope="col">Time</th><th scope="col">Type</th><th scope="col">Description</th><th scope="col">Group</th></tr></thead>
<tbody>
{{#EVENT}}<tr><td class="num" data-label="#">{{N}}</td><td class="nowrap" data-label="Time">{{TIME}}</td><td data-label="Type"><span class="tag">{{TYPE}}</span></td><td class="wide" data-label="Description">{{DESCRIPTION}}</td><td data-label="Group">{{GROUP}}</td></tr>
{{/EVENT}}</tbody>
</table>
</div>
</section>

{{/EVENTS}}<section id="quality" aria-labelledby="h-quality title">
<h3 id="h-quality">Data quality</h3>
{{#QUALITY_LIST}}<ul class="findings">
{{#QUALITY}}<li class="{{CLASS}}">{{TEXT}}{{#WHERE}} <span class="where">{{TEXT}}</span>{{/WHERE}}</li>
{{/QUALITY}}</ul>
{{/QUALITY_LIST}}{{#QUALITY_OK}}<p>No data-quality problems were found: no duplicate or out-of-order rows, no relay in two groups, no listed member without samples.</p>
{{/QUALITY_OK}}</section>

<footer class="foot">
<p>{{GENERATED}} Made with <code>{{COMMAND}}</code> from the experiment's directory.</p>
</footer>
</article>
<!-- memreport:end -->
</main>
</body>
</html>
