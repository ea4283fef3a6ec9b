// GPUs: capacity, requested and busy GPU-hours, utilization per day and per node, what idle
// GPUs cost (per owner: held and unused, and capacity nobody requested), and each workload's
// efficiency (busy / requested), worst first among the costly.
import { api, apiIfAllowed, Gpu, GpuDevice } from "./api";
import { disposeCharts, drawChart, titleStyle } from "./charts";
import { escapeHtml, formatAmount, formatMoney, formatRatio } from "./format";
import { periodQuery } from "./period";
import { emptyState } from "./states";

export async function renderGpu(root: HTMLElement): Promise<void> {
  const [gpu, devices] = await Promise.all([
    api<Gpu>(`/api/v1/gpu?${periodQuery().slice(1)}`),
    apiIfAllowed<{ rows: GpuDevice[] }>("/api/v1/gpus"),  // the platform's: not for scoped tokens
  ]);
  // The costliest unused GPU time first: what each workload held and left idle.
  const topIdle = gpu.consumers
    .filter((c) => Number(c.unused_cost ?? 0) > 0)
    .sort((a, b) => Number(b.unused_cost) - Number(a.unused_cost))
    .slice(0, 10);
  disposeCharts();
  if (gpu.nodes.length === 0) {
    root.innerHTML = emptyState(
      "No GPUs in the period",
      "GPU capacity comes from node inventory (<code>tally ingest inventory</code>) or from " +
        "kube-state-metrics' <code>nvidia.com/gpu</code> capacity; busy time from DCGM.",
    );
    return;
  }
  const t = gpu.total;
  const idleGpus = gpu.consumers.filter((c) => Number(c.requested) > 0 && Number(c.used) === 0);
  root.innerHTML = `
    <section class="cards">
      <div class="card"><div class="label">GPU utilization</div>
        <div class="value" data-testid="gpu-utilization">${formatRatio(t.utilization)}</div>
        <div class="sub">${formatAmount(t.used, "busy GPU-h")} of ${formatAmount(t.capacity!, "GPU-h")}</div></div>
      <div class="card"><div class="label">Requested</div>
        <div class="value">${formatRatio(String(Number(t.requested) / Number(t.capacity)))}</div>
        <div class="sub">${formatAmount(t.requested, "GPU-h")} requested · efficiency ${formatRatio(t.efficiency)}</div></div>
      <div class="card"><div class="label">GPU cost</div>
        <div class="value" data-testid="gpu-cost">${formatMoney(t.cost!)}</div>
        <div class="sub">unrequested ${formatMoney(t.idle_cost!)} · held unused ${formatMoney(t.unused_cost!)}</div></div>
      <div class="card ${idleGpus.length ? "warn" : ""}"><div class="label">Idle GPU workloads</div>
        <div class="value" data-testid="idle-gpu-workloads">${idleGpus.length}</div>
        <div class="sub">${
          idleGpus.length
            ? `${formatMoney(idleGpus.reduce((s, c) => s + Number(c.cost), 0))} for GPUs that never worked`
            : "every GPU request did some work"
        }</div></div>
    </section>
    <div class="chart wide" id="gpu-daily"></div>
    <h2>GPU nodes</h2>
    <table data-testid="gpu-nodes"><thead><tr><th>Node</th><th class="num">Capacity</th>
      <th class="num">Requested</th><th class="num">Busy</th><th class="num">Utilization</th>
      <th class="num">Cost</th><th class="num">Idle cost</th></tr></thead><tbody>
      ${gpu.nodes
        .map(
          (n) => `<tr><td>${escapeHtml(n.node)}</td><td class="num">${formatAmount(n.capacity!, "GPU-h")}</td>
            <td class="num">${formatAmount(n.requested, "GPU-h")}</td><td class="num">${formatAmount(n.used, "GPU-h")}</td>
            <td class="num">${formatRatio(n.utilization)}</td><td class="num">${formatMoney(n.cost!)}</td>
            <td class="num">${formatMoney(n.idle_cost!)}</td></tr>`,
        )
        .join("")}</tbody></table>
    <h2>GPU idle cost by owner</h2>
    <table data-testid="gpu-owners"><thead><tr><th>Owner</th><th class="num">GPU cost</th>
      <th class="num">Held, unused</th><th class="num">Unrequested capacity</th>
      <th class="num">Idle cost</th></tr></thead><tbody>
      ${gpu.owners
        .map(
          (o) => `<tr><td>${escapeHtml(o.owner)}</td><td class="num">${formatMoney(o.cost)}</td>
            <td class="num">${formatMoney(o.unused_cost)}</td><td class="num">${formatMoney(o.unrequested_cost)}</td>
            <td class="num" data-owner="${escapeHtml(o.owner)}">${formatMoney(o.idle_cost)}</td></tr>`,
        )
        .join("")}</tbody></table>
    <h2>Top idle GPU workloads</h2>
    <table data-testid="gpu-top-idle"><thead><tr><th>Consumer</th><th>Owner</th>
      <th class="num">Efficiency</th><th class="num">Held, unused</th></tr></thead><tbody>
      ${topIdle
        .map(
          (c) => `<tr><td>${escapeHtml(c.consumer)}</td><td>${escapeHtml(c.owner)}</td>
            <td class="num">${formatRatio(c.efficiency)}</td>
            <td class="num">${formatMoney(c.unused_cost!)}</td></tr>`,
        )
        .join("")}</tbody></table>
    ${
      devices === null || devices.rows.length === 0
        ? ""
        : `<h2>Devices</h2>
    <table data-testid="gpu-devices"><thead><tr><th>Host</th><th>Model</th>
      <th class="num">Memory used</th><th class="num">Utilization</th><th class="num">Power</th>
      <th>MIG layout</th></tr></thead><tbody>
      ${devices.rows
        .map(
          (d) => `<tr><td>${escapeHtml(d.host)}</td><td>${escapeHtml(d.model)}</td>
            <td class="num">${
              d.memory_total_bytes
                ? `${formatAmount(String((d.memory_used_bytes ?? 0) / 2 ** 30), "GiB")} of ${formatAmount(String(d.memory_total_bytes / 2 ** 30), "GiB")}`
                : "–"
            }</td>
            <td class="num">${d.utilization === null ? "–" : formatRatio(d.utilization)}</td>
            <td class="num">${d.power_watts === null ? "–" : `${escapeHtml(d.power_watts)} W`}</td>
            <td>${
              d.mig_mode === "enabled"
                ? d.mig_instances.map((m) => `<span class="kind">${escapeHtml(m.profile || "?")}</span>`).join(" ") ||
                  "MIG on"
                : d.mig_mode === "disabled" ? "off" : "–"
            }</td></tr>`,
        )
        .join("")}</tbody></table>`
    }
    <h2>GPU workloads</h2>
    <table data-testid="gpu-consumers"><thead><tr><th>Consumer</th><th>Owner</th>
      <th class="num">Requested</th><th class="num">Busy</th><th class="num">Efficiency</th>
      <th class="num">Cost</th></tr></thead><tbody>
      ${gpu.consumers
        .map(
          (c) => `<tr><td>${escapeHtml(c.consumer)}${
            Number(c.requested) > 0 && Number(c.used) === 0 ? ` <span class="kind idle">idle GPU</span>` : ""
          }</td><td>${escapeHtml(c.owner)}</td>
            <td class="num">${formatAmount(c.requested, "GPU-h")}</td><td class="num">${formatAmount(c.used, "GPU-h")}</td>
            <td class="num">${formatRatio(c.efficiency)}</td>
            <td class="num" data-consumer="${escapeHtml(c.consumer)}">${formatMoney(c.cost!)}</td></tr>`,
        )
        .join("")}</tbody></table>`;
  const days = gpu.daily.map((d) => d.day);
  drawChart("gpu-daily", {
    title: { text: "GPU-hours per day: capacity, requested, busy", textStyle: titleStyle },
    tooltip: { trigger: "axis", valueFormatter: (v: number) => formatAmount(v, "GPU-h") },
    legend: { bottom: 0 },
    grid: { left: 56, right: 16 },
    xAxis: { type: "category", data: days },
    yAxis: { type: "value", name: "GPU-h" },
    series: [
      { name: "capacity", type: "line", step: "middle", data: gpu.daily.map((d) => Number(d.capacity)) },
      { name: "requested", type: "bar", data: gpu.daily.map((d) => Number(d.requested)) },
      { name: "busy", type: "bar", data: gpu.daily.map((d) => Number(d.used)) },
    ],
  });
}
