#!/bin/sh
# duckdb-setup.sh - installs DuckDB's Node API (bench/package.json, pinned in
# bench/package-lock.json) into bench/node_modules for
# bench/duckdb_group_means.mjs. Only the benchmarks use it: the build and
# the tests never do. Needs node and npm (Debian: nodejs, npm).
set -eu
cd "$(dirname "$0")"
command -v npm >/dev/null 2>&1 || { echo "bench: npm not found (Debian package 'npm')" >&2; exit 1; }
npm ci --no-audit --no-fund >&2
node -e "import('@duckdb/node-api').then(m => console.log('duckdb ' + m.default.version()))"
