// duckdb_group_means.mjs - the group means of bench/pandas_group_means.py,
// computed by DuckDB: its CSV reader over memory.csv, a join with the group
// files named in experiment.json, rows before a group's start dropped, and
// the mean RSS per (collection timestamp, group).
//
// usage: node bench/duckdb_group_means.mjs EXPDIR [OUT.csv]
// Needs bench/node_modules (sh bench/duckdb-setup.sh). DUCKDB_THREADS sets
// DuckDB's thread count (default 2, the machine's cores). Prints one line
// with the seconds taken, the number of means and each group's mean at the
// last collection, in GiB, to compare with memreport's final_mean_gib.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [expdir, out] = process.argv.slice(2);
if (!expdir) {
    console.error('usage: node duckdb_group_means.mjs EXPDIR [OUT.csv]');
    process.exit(2);
}
const t0 = performance.now();
const man = JSON.parse(fs.readFileSync(path.join(expdir, 'experiment.json'), 'utf8'));
const members = [];
for (const [gid, g] of Object.entries(man.groups)) {
    for (const line of fs.readFileSync(path.join(expdir, g.members), 'utf8').split('\n')) {
        const name = line.split('#', 1)[0].trim();
        if (name)
            members.push([name, gid, g.start || '1970-01-01T00:00:00']);
    }
}
// Group files list nicknames, or fingerprints when every entry looks like one.
const byFp = members.every(([k]) => /^[0-9A-Fa-f]{40}$/.test(k));

const db = await DuckDBInstance.create(':memory:', { threads: process.env.DUCKDB_THREADS || '2' });
const con = await db.connect();
await con.run('CREATE TABLE groups (key VARCHAR, grp VARCHAR, start TIMESTAMP)');
const app = await con.createAppender('groups');
for (const [k, g, s] of members) {
    app.appendVarchar(k);
    app.appendVarchar(g);
    app.appendVarchar(s.replace('T', ' '));
    app.endRow();
}
app.closeSync();
const csv = path.join(expdir, 'memory.csv').replaceAll("'", "''");
const key = byFp ? 'm.fingerprint' : 'm.nickname';
const reader = await con.runAndReadAll(`
    SELECT m.timestamp AS t, g.grp AS grp, avg(m.rss_kb) / (1024 * 1024) AS mean_gib
    FROM read_csv('${csv}', header = true, auto_detect = true) m
    JOIN groups g ON ${key} = g.key
    WHERE m.type = 'relay' AND m.timestamp >= g.start
    GROUP BY ALL ORDER BY t, grp`);
const rows = reader.getRows();
const secs = (performance.now() - t0) / 1000;
if (out)
    fs.writeFileSync(out, 'timestamp,group,mean_gib\n' +
        rows.map(([t, g, v]) => `${t},${g},${v}`).join('\n') + '\n');
const lastT = rows.length ? String(rows[rows.length - 1][0]) : '';
const finals = rows.filter(([t]) => String(t) === lastT).map(([, g, v]) => `${g} ${v.toFixed(4)}`);
console.log(`duckdb seconds=${secs.toFixed(3)} means=${rows.length} final_gib: ${finals.join(', ')}`);
