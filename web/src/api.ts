// The tally API: every answer is {"status":"success","data":...} or {"status":"error","error":...}.
// Money and amounts arrive as exact decimal strings.
export async function api<T>(path: string): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path);
  } catch {
    throw new Error("the tally server cannot be reached");
  }
  let body: { status?: string; data?: T; error?: string };
  try {
    body = await res.json();
  } catch {
    throw new Error(`${path}: HTTP ${res.status}, not a tally answer`);
  }
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
