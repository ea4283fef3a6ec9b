// Times DuckDB answering the monthly cost reports of bench/query_vs_duckdb.sh on a table loaded
// by duckdb_ingest.mjs. Each query runs RUNS times on one connection; prints one line per query:
//   NAME open_and_first_seconds median_warm_seconds rows
// open_and_first is opening the file database and the first run (what a new process pays).
// Usage: node duckdb_query.mjs DB.duckdb [RUNS]
import { DuckDBInstance } from '@duckdb/node-api';

const [dbPath, runsText] = process.argv.slice(2);
const runs = Number(runsText || 5);
const month = "ChargePeriodStart >= TIMESTAMP '2024-05-01' AND ChargePeriodStart < TIMESTAMP '2024-06-01'";
const queries = {
  provider_category: `SELECT ProviderName, ServiceCategory, sum(EffectiveCost) AS c FROM t WHERE ${month} GROUP BY ALL ORDER BY c DESC`,
  sub_account: `SELECT SubAccountId, sum(EffectiveCost) AS c FROM t WHERE ${month} GROUP BY ALL ORDER BY c DESC`,
  tag_team: `SELECT json_extract_string(Tags, '$.team') AS team, sum(EffectiveCost) AS c FROM t WHERE ${month} GROUP BY ALL ORDER BY c DESC`,
};
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;
for (const [name, sql] of Object.entries(queries)) {
  let start = process.hrtime.bigint();
  const instance = await DuckDBInstance.create(dbPath, { access_mode: 'READ_ONLY' });
  const connection = await instance.connect();
  let reader = await connection.runAndReadAll(sql);
  const first = seconds(start);
  const times = [];
  for (let i = 0; i < runs; ++i) {
    start = process.hrtime.bigint();
    reader = await connection.runAndReadAll(sql);
    times.push(seconds(start));
  }
  times.sort((a, b) => a - b);
  console.log(`${name} ${first.toFixed(4)} ${times[Math.floor(runs / 2)].toFixed(4)} ${reader.getRows().length}`);
  connection.closeSync();
  instance.closeSync();
}
