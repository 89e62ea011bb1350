{{%AUTOESCAPE context="HTML"}}<!DOCTYPE html>
<html lang="en"{{#THEME}} data-theme="{{NAME}}"{{/THEME}}>
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{{CSP}}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="{{COLOR_SCHEME}}">
<meta name="generator" content="memreport {{VERSION}}">
<meta name="robots" content="noindex">
<title>Page not found · {{TITLE}}</title>
<meta name="description" content="{{SHARE_DESCRIPTION}}">
<link rel="stylesheet" href="{{ASSETS}}style.css">
<link rel="icon" type="image/svg+xml" href="{{ASSETS}}favicon.svg">
{{#THEME_CSS}}<link rel="stylesheet" href="{{HREF}}">
{{/THEME_CSS}}{{#CANONICAL}}<link rel="canonical" href="{{URL}}">
<meta property="og:url" content="{{URL}}">
{{/CANONICAL}}{{#FEED}}<link rel="alternate" type="application/atom+xml" title="Memory experiments (Atom feed)" href="{{HREF}}">
{{/FEED}}</head>
<body>
<a class="skip" href="#main">Skip to the message</a>
{{THEME_HEADER:none}}<header class="masthead">
<div class="wrap">
<p class="eyebrow">Relay memory experiments</p>
<h1>Page not found</h1>
<nav aria-label="Pages">
<ul>
<li><a href="{{HOME}}">{{HOME_LABEL}}</a></li>
{{#COMPARE}}<li><a href="{{HREF}}">Allocator comparison</a></li>
{{/COMPARE}}</ul>
</nav>
</div>
</header>
<main id="main" class="wrap">
<section id="missing" aria-labelledby="h-missing">
<h2 id="h-missing">Nothing at this address</h2>
<p>The page you asked for is not part of this site; it may have been renamed when an experiment was added. Start again from <a href="{{HOME}}">{{HOME_LABEL}}</a>.</p>
</section>
</main>
<footer class="wrap foot">
<p>{{GENERATED}}</p>
</footer>
{{THEME_FOOTER:none}}</body>
</html>
