// The period every page shows: all data, or the last 7 or 30 days of it (counted back from the
// end of the data, not from today, so a historical store still shows something).
import { api, Sources } from "./api";

export type PeriodName = "all" | "30d" | "7d";
let current: PeriodName = (localStorage.getItem("tally.period") as PeriodName) || "all";
let dataEnd: string | null = null;

export function setPeriod(name: PeriodName): void {
  current = name;
  localStorage.setItem("tally.period", name);
}

export function periodName(): PeriodName {
  return current;
}

// Learns where the data ends (the sources answer says); called before each render.
export async function refreshDataWindow(): Promise<void> {
  dataEnd = (await api<Sources>("/api/v1/sources")).window?.to ?? null;
}

// "&from=...&to=..." for the API, or "" for all data.
export function periodQuery(): string {
  if (current === "all" || !dataEnd) return "";
  const days = current === "7d" ? 7 : 30;
  const from = new Date(Date.parse(dataEnd) - days * 86_400_000).toISOString().replace(".000Z", "Z");
  return `&from=${from}&to=${dataEnd}`;
}
