// The window a page shows: the view's own from/to (a custom range held in the URL), else the
// header's period: all data, or the last 7 or 30 days of it (counted back from the end of the
// data, not from today, so a historical store still shows something).
import { api } from "./api";

export type PeriodName = "all" | "30d" | "7d";
let current: PeriodName = (localStorage.getItem("tally.period") as PeriodName) || "all";
let dataStart: string | null = null;
let dataEnd: string | null = null;

export interface Window {
  from: string;
  to: string;
}

export function setPeriod(name: PeriodName): void {
  current = name;
  localStorage.setItem("tally.period", name);
}

export function periodName(): PeriodName {
  return current;
}

// Learns where the data starts and ends; called before each render.
export async function refreshDataWindow(): Promise<void> {
  const window = (await api<{ window: { from: string; to: string } | null }>("/api/v1/window")).window;
  dataStart = window?.from ?? null;
  dataEnd = window?.to ?? null;
}

const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

// The window of the view: its from/to parameters, else the header period; null without data.
export function viewWindow(params?: URLSearchParams): Window | null {
  const from = params?.get("from"), to = params?.get("to");
  if (from && to) return { from, to };
  if (!dataStart || !dataEnd) return null;
  if (current === "all") return { from: dataStart, to: dataEnd };
  const days = current === "7d" ? 7 : 30;
  return { from: iso(Math.max(Date.parse(dataStart), Date.parse(dataEnd) - days * 86_400_000)), to: dataEnd };
}

// The window of the same length just before `w`, for period comparison.
export function previousWindow(w: Window): Window {
  const length = Date.parse(w.to) - Date.parse(w.from);
  return { from: iso(Date.parse(w.from) - length), to: w.from };
}

// "&from=...&to=..." for the API, or "" for all data.
export function windowQuery(w: Window | null): string {
  return w ? `&from=${encodeURIComponent(w.from)}&to=${encodeURIComponent(w.to)}` : "";
}

// The header period alone, as the overview, GPU and drill-down pages use it.
export function periodQuery(): string {
  return current === "all" ? "" : windowQuery(viewWindow());
}
