// Times DuckDB loading a CSV into a file database, the way the tally ingest benchmark compares:
//   CREATE TABLE t AS SELECT * FROM read_csv(FILE); CHECKPOINT
// Usage: node duckdb_ingest.mjs FILE.csv DB.duckdb   -> prints "seconds rows"
import { DuckDBInstance } from '@duckdb/node-api';
import { rmSync } from 'node:fs';

const [file, dbPath] = process.argv.slice(2);
if (!file || !dbPath) {
  console.error('usage: node duckdb_ingest.mjs FILE.csv DB.duckdb');
  process.exit(2);
}
rmSync(dbPath, { force: true });
rmSync(dbPath + '.wal', { force: true });
const instance = await DuckDBInstance.create(dbPath);
const connection = await instance.connect();
const start = process.hrtime.bigint();
await connection.run(`CREATE TABLE t AS SELECT * FROM read_csv('${file.replaceAll("'", "''")}')`);
await connection.run('CHECKPOINT');
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const reader = await connection.runAndReadAll('SELECT count(*) FROM t');
console.log(`${seconds.toFixed(3)} ${reader.getRows()[0][0]}`);
