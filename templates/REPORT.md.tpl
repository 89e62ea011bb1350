# {{TITLE:x-md}}

## Executive Summary

{{#PROBLEM}}**Problem:** {{TEXT:x-md}}  
{{/PROBLEM}}{{#HYPOTHESIS}}**Hypothesis:** {{TEXT:x-md}}  
{{/HYPOTHESIS}}**Result:** {{RESULT}}  
{{#RECOMMENDATION}}**Recommendation:** {{TEXT:x-md}}
{{/RECOMMENDATION}}
## Experiment Setup

{{#DESCRIPTION}}{{TEXT:x-md}}

{{/DESCRIPTION}}| Parameter | Value |
|-----------|-------|
{{#SETUP}}| {{KEY:x-md}} | {{VALUE:x-md}} |
{{/SETUP}}
{{#HAS_GROUPS}}### Groups

| Group | Name |{{#CFGH}} {{K:x-md}} |{{/CFGH}} Relays | Window | Members from |
|-------|------|{{#CFGH}}------|{{/CFGH}}-------:|--------|--------------|
{{#GROUP}}| {{ID:x-md}} | {{NAME:x-md}} |{{#CFG}} {{V:x-md}} |{{/CFG}} {{RELAYS:x-md}} | {{WINDOW:x-md}} | {{MEMBERS:x-md}} |
{{/GROUP}}
{{/HAS_GROUPS}}## Results

{{#NO_GROUPS}}{{TEXT:x-md}}

{{/NO_GROUPS}}{{#HAS_GROUPS}}### Final Metrics ({{FINAL_WHEN:x-md}})

| Group | Name | Relays | Mean RSS (GiB) | vs baseline {{BASELINE:x-md}}{{#BASELINE_HIDDEN}} (not shown){{/BASELINE_HIDDEN}} (95% CI) | Steady growth, GiB/day (95% CI) | Trend |
|-------|------|-------:|---------------:|-----------------------|---------------------------------|-------|
{{#FINAL}}| {{B}}{{ID:x-md}}{{B}} | {{B}}{{NAME:x-md}}{{B}} | {{RELAYS:x-md}} | {{B}}{{MEAN:x-md}}{{B}} | {{B}}{{VS:x-md}}{{B}} | {{GROWTH:x-md}} | {{TREND:x-md}} |
{{/FINAL}}
{{FINAL_NOTE:x-md}}
{{#RANKS}}
### Relays

| # | Highest final RSS | GiB | Lowest final RSS | GiB | Fastest steady growth | GiB/day |
|--:|-------------------|----:|------------------|----:|-----------------------|--------:|
{{#RANK}}| {{N:x-md}} | {{TOPN:x-md}} | {{TOPV:x-md}} | {{BOTN:x-md}} | {{BOTV:x-md}} | {{FASTN:x-md}} | {{FASTV:x-md}} |
{{/RANK}}
{{RANK_NOTE:x-md}}
{{/RANKS}}
### Memory Growth Over Time

| Group |{{#DAYH}} Day {{N:x-md}} |{{/DAYH}} Trend |
|-------|{{#DAYH}}------:|{{/DAYH}}-------|
{{#DAYROW}}| {{LABEL:x-md}} |{{#CELL}} {{V:x-md}} |{{/CELL}} {{TREND:x-md}} |
{{/DAYROW}}
{{DAY_NOTE:x-md}}
{{/HAS_GROUPS}}
### Charts

{{#CHART}}![{{TITLE:x-md}}](charts/{{NAME}}.png)
*{{CAPTION:x-md}}*

{{/CHART}}{{#NO_CHARTS}}No charts were drawn.

{{/NO_CHARTS}}## Analysis

{{#BULLET}}- {{TEXT}}
{{/BULLET}}
## Data Quality

{{#QUALITY_LIST}}{{#QUALITY}}- {{TEXT:x-md}}
{{/QUALITY}}{{/QUALITY_LIST}}{{#QUALITY_OK}}No data-quality problems were found: no duplicate or out-of-order rows, no relay in two groups, no listed member without samples.
{{/QUALITY_OK}}
{{#NOTE}}{{TEXT}}
{{/NOTE}}## Data Reference

- **Experiment:** {{EXPERIMENT:x-md}}
- **Period analysed:** {{PERIOD_FULL:x-md}}
- **Relays:** {{RELAYS_LINE:x-md}}
- **Events:** {{EVENTS_LINE:x-md}}

| File | Rows | Size | SHA-256 |
|------|-----:|-----:|---------|
{{#INPUT}}| {{PATH:x-md}} | {{ROWS:x-md}} | {{BYTES:x-md}} | `{{SHA}}` |
{{/INPUT}}
## How to Regenerate

```sh
{{COMMAND}}
```

Hand-written sections belong in `notes.md` in the experiment directory; memreport copies them into this report and will not overwrite edits made here.

*{{GENERATED:x-md}}*

