// The tally API: every answer is {"status":"success","data":...} or {"status":"error","error":...}.
export async function api<T>(path: string): Promise<T> {
  const res = await fetch(path);
  const body = await res.json();
  if (body.status !== "success") throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.data as T;
}

export interface ShowbackRow {
  [key: string]: string;
  cost: string;
}
export interface Showback {
  rows: ShowbackRow[];
  total: string;
}
export interface Series {
  step: string;
  series: { key: Record<string, string>; points: [string, string][] }[];
  total: string;
}
