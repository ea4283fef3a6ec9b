// The tally API: every answer is {"status":"success","data":...} or {"status":"error","error":...}.
// Money and amounts arrive as exact decimal strings. With `tally serve --auth required`, each
// request carries the signed-in token; it lives in this module's memory only (never in the URL
// or local storage), so closing or reloading the tab signs out.
let token: string | null = null;

export function setToken(value: string | null): void {
  token = value;
}

export function signedIn(): boolean {
  return token !== null;
}

// An answer with an HTTP status the dashboard treats specially: 401 (sign in) and 403.
export class ApiError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export async function api<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, token ? { headers: { Authorization: `Bearer ${token}` } } : {});
  } catch {
    throw new Error("the tally server cannot be reached");
  }
  let body: { status?: string; data?: T; error?: string };
  try {
    body = await res.json();
  } catch {
    throw new ApiError(`${path}: HTTP ${res.status}, not a tally answer`, res.status);
  }
  if (body.status !== "success") throw new ApiError(body.error ?? `HTTP ${res.status}`, res.status);
  return body.data as T;
}

// POSTs `body` as JSON; the answer's data, or an ApiError.
export async function apiPost<T>(path: string, body: unknown): Promise<T> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  if (token) headers.Authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  } catch {
    throw new Error("the tally server cannot be reached");
  }
  const answer = await res.json().catch(() => ({ status: "error", error: `HTTP ${res.status}` }));
  if (answer.status !== "success") throw new ApiError(answer.error ?? `HTTP ${res.status}`, res.status);
  return answer.data as T;
}

// `api`, or null when the caller's role or scope may not read `path` (403).
export async function apiIfAllowed<T>(path: string): Promise<T | null> {
  try {
    return await api<T>(path);
  } catch (e) {
    if (e instanceof ApiError && e.status === 403) return null;
    throw e;
  }
}

export interface Whoami {
  name: string;
  role: string;
  owners: string[];
  write_sources: string[];
}

export interface ShowbackRow {
  [key: string]: string;
  cost: string;
}
export interface Showback {
  rows: ShowbackRow[];
  total: string;
  estimated?: string; // the part of total estimated at reference prices, not billed
}
export interface CostAnswer {
  rows: Record<string, string | null>[];
  total: string | null;
  totals: Record<string, string>;
  warnings: string[];
}
export interface Series {
  step: string;
  series: { key: Record<string, string>; points: [string, string][] }[];
  total: string;
}
export interface GpuAmounts {
  capacity?: string;
  requested: string;
  used: string;
  utilization?: string;
  efficiency: string;
  cost?: string;
  idle_cost?: string;
  unused_cost?: string;
}
export interface GpuOwnerIdle {
  owner: string;
  cost: string;
  unused_cost: string;
  unrequested_cost: string;
  idle_cost: string;
}
export interface GpuDevice {
  uuid: string;
  model: string;
  host: string;
  memory_total_bytes: number | null;
  memory_used_bytes: number | null;
  utilization: string | null;
  power_watts: string | null;
  mig_mode: "enabled" | "disabled" | null;
  mig_instances: { profile: string; memory_bytes: number | null; slices: number | null }[];
  processes: { pid: number; name: string; memory_bytes: number | null }[];
}
export interface Gpu {
  total: GpuAmounts;
  nodes: (GpuAmounts & { node: string })[];
  consumers: (GpuAmounts & { consumer: string; owner: string })[];
  daily: (GpuAmounts & { day: string })[];
  owners: GpuOwnerIdle[];
}
export interface Sources {
  window: { from: string; to: string } | null;
  allocation: { allocated_hours: number; dirty_hours: number; first_hour: string | null; last_hour: string | null };
  usage: {
    name: string;
    complete_hours: number;
    facts: number;
    first_hour: string | null;
    last_hour: string | null;
    last_run: string | null;
    last_error: string;
  }[];
  ingests: { id: number; format: string; committed_at: string; files: number; rows: number; problems: number }[];
}
export interface Forecast {
  rows: { date: string; currency: string; forecast: string; lower: string; upper: string }[];
  backtest_mape: number | null;
  naive_mape: number | null;
  coverage: number | null;
}
