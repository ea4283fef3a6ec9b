// The default allocation policy as DuckDB SQL, for bench/alloc_vs_duckdb.sh: each node's hourly
// bill split over its resources by capacity × reference price (cpu $0.031611, memory $0.004237,
// gpu $0.95), each resource over its consumers by max(request, usage) / max(capacity, Σ bases),
// the rest idle; owner = the consumer's team label. Rows are persisted to the file.
//   node duckdb_allocate.mjs DIR DB.duckdb   -> prints "load_seconds allocate_seconds rows"
// DIR holds usage_gen's usage.csv, inventory.csv and bill.csv. Loading (and expanding the
// inventory to hours) is timed apart: tally's side has its inputs already ingested too.
// DuckDB computes in DOUBLE here: faster than exact decimals, and not exact to the cent.
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';

const [dir, dbPath] = process.argv.slice(2);
if (!dir || !dbPath) {
  console.error('usage: node duckdb_allocate.mjs DIR DB.duckdb');
  process.exit(2);
}
rmSync(dbPath, { force: true });
rmSync(dbPath + '.wal', { force: true });
const instance = await DuckDBInstance.create(dbPath);
const db = await instance.connect();
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

let start = process.hrtime.bigint();
await db.run(`CREATE TABLE usage AS SELECT start AS hour, consumer, asset, resource,
  CAST(request AS DOUBLE) AS request, CAST(usage AS DOUBLE) AS usage,
  split_part(labels, '=', 2) AS team FROM read_csv('${dir}/usage.csv')`);
await db.run(`CREATE TABLE capacity AS SELECT unnest(range(start, "end", INTERVAL 1 HOUR)) AS hour,
  asset, resource, CAST(capacity AS DOUBLE) AS capacity FROM read_csv('${dir}/inventory.csv')`);
await db.run(`CREATE TABLE assets AS SELECT DISTINCT asset, split_part(labels, '=', 2) AS provider_id
  FROM read_csv('${dir}/inventory.csv')`);
await db.run(`CREATE TABLE bill AS SELECT ChargePeriodStart AS hour, ResourceId AS resource_id,
  CAST(EffectiveCost AS DOUBLE) AS cost FROM read_csv('${dir}/bill.csv')`);
await db.run('CHECKPOINT');
const load = seconds(start);

start = process.hrtime.bigint();
await db.run(`CREATE TABLE allocations AS
WITH cost AS (
  SELECT b.hour, a.asset, sum(b.cost) AS cost FROM bill b JOIN assets a ON a.provider_id = b.resource_id
  GROUP BY ALL),
weighted AS (
  SELECT hour, asset, resource, capacity,
    capacity * CASE resource WHEN 'cpu' THEN 0.031611 WHEN 'memory' THEN 0.004237 ELSE 0.95 END AS weight
  FROM capacity),
component AS (
  SELECT w.hour, w.asset, w.resource, w.capacity,
    c.cost * w.weight / sum(w.weight) OVER (PARTITION BY w.hour, w.asset) AS cost
  FROM weighted w JOIN cost c USING (hour, asset)),
basis AS (
  SELECT hour, asset, resource, consumer, team, greatest(request, usage) AS basis FROM usage),
total AS (SELECT hour, asset, resource, sum(basis) AS bases FROM basis GROUP BY ALL),
split AS (
  SELECT c.hour, c.asset, c.resource, c.cost, c.capacity, coalesce(t.bases, 0) AS bases
  FROM component c LEFT JOIN total t USING (hour, asset, resource))
SELECT b.hour, b.consumer, b.asset, b.resource, b.team AS owner, 'direct' AS kind,
  s.cost * b.basis / greatest(s.capacity, s.bases) AS cost, b.basis AS quantity
FROM basis b JOIN split s USING (hour, asset, resource)
UNION ALL
SELECT hour, '__idle__', asset, resource, '__idle__', 'idle',
  cost * greatest(capacity - bases, 0) / greatest(capacity, bases), greatest(capacity - bases, 0)
FROM split`);
await db.run('CHECKPOINT');
const allocate = seconds(start);
const reader = await db.runAndReadAll('SELECT count(*), sum(cost) FROM allocations');
const [rows] = reader.getRows()[0];
console.log(`${load.toFixed(3)} ${allocate.toFixed(3)} ${rows}`);
