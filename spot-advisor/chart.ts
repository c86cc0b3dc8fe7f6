/**
 * A self-contained SVG of the report: the on-demand/Spot vCPU mix and estimated savings at min,
 * desired and max capacity, and each Spot type's savings coloured by its interruption bucket.
 */
import { CAPACITY_LEVELS } from "./estimate";
import type { SpotReport } from "./report";

const WIDTH = 800;
const BAR_X = 190;
const BAR_WIDTH = 420;
const COLOURS = { onDemand: "#8a94a6", spot: "#2e9d5b", text: "#1f2933", grid: "#d5dae1" };
/** Least to most interrupted: green to red; grey where the data lacks the type. */
const BUCKET_COLOURS = ["#2e9d5b", "#8cc152", "#f6bb42", "#e9573f", "#c0392b"];
const UNKNOWN_COLOUR = "#b0b7c3";

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

function text(x: number, y: number, content: string, attributes = ""): string {
  return `<text x="${x}" y="${y}" ${attributes}>${escape(content)}</text>`;
}

export function renderChart(report: SpotReport, bucketLabels: readonly string[]): string {
  const parts: string[] = [];
  let y = 30;
  parts.push(text(20, y, `Spot capacity: ${report.environment} (${report.region}), data ${report.data.date}`, 'font-size="16" font-weight="bold"'));
  y += 30;
  parts.push(text(20, y, "vCPU mix and estimated savings vs all on-demand", 'font-size="13"'));
  y += 12;
  for (const level of CAPACITY_LEVELS) {
    const row = report.estimate.levels[level];
    const total = row.onDemandVcpu + row.spotVcpu;
    y += 30;
    parts.push(text(20, y + 14, `${level}${level === report.estimate.basis ? " (headline)" : ""}`, 'font-size="12"'));
    if (total === 0) {
      parts.push(`<rect x="${BAR_X}" y="${y}" width="${BAR_WIDTH}" height="20" fill="none" stroke="${COLOURS.grid}"/>`);
      parts.push(text(BAR_X + 8, y + 14, "no capacity", 'font-size="11"'));
      continue;
    }
    const onDemandWidth = (BAR_WIDTH * row.onDemandVcpu) / total;
    parts.push(`<rect x="${BAR_X}" y="${y}" width="${onDemandWidth.toFixed(1)}" height="20" fill="${COLOURS.onDemand}"/>`);
    parts.push(`<rect x="${(BAR_X + onDemandWidth).toFixed(1)}" y="${y}" width="${(BAR_WIDTH - onDemandWidth).toFixed(1)}" height="20" fill="${COLOURS.spot}"/>`);
    parts.push(text(BAR_X + 4, y + 14, `${row.onDemandVcpu} OD / ${row.spotVcpu} Spot vCPU`, 'font-size="11" fill="#ffffff"'));
    parts.push(text(BAR_X + BAR_WIDTH + 12, y + 14, `saves ${row.savingsVsOnDemandPercent ?? 0}%`, 'font-size="12" font-weight="bold"'));
  }
  y += 40;
  parts.push(`<rect x="${BAR_X}" y="${y - 10}" width="12" height="12" fill="${COLOURS.onDemand}"/>`, text(BAR_X + 16, y, "on-demand", 'font-size="11"'));
  parts.push(`<rect x="${BAR_X + 100}" y="${y - 10}" width="12" height="12" fill="${COLOURS.spot}"/>`, text(BAR_X + 116, y, "Spot", 'font-size="11"'));

  const spotTypes = report.pools
    .filter((pool) => pool.purchase === "spot")
    .flatMap((pool) => pool.instanceTypes.map((entry) => ({ pool: pool.name, ...entry })));
  if (spotTypes.length > 0) {
    y += 36;
    parts.push(text(20, y, "Spot savings vs on-demand by type (bar: 0-100%), coloured by interruption bucket", 'font-size="13"'));
    y += 8;
    for (const entry of spotTypes) {
      y += 24;
      const index = entry.interruption === null ? -1 : bucketLabels.indexOf(entry.interruption);
      const colour = index < 0 ? UNKNOWN_COLOUR : BUCKET_COLOURS[Math.min(index, BUCKET_COLOURS.length - 1)];
      const width = ((entry.savingsPercent ?? 0) / 100) * BAR_WIDTH;
      parts.push(text(20, y + 13, `${entry.type} (${entry.pool})`, 'font-size="11"'));
      parts.push(`<rect x="${BAR_X}" y="${y}" width="${BAR_WIDTH}" height="16" fill="none" stroke="${COLOURS.grid}"/>`);
      parts.push(`<rect x="${BAR_X}" y="${y}" width="${width.toFixed(1)}" height="16" fill="${colour}"/>`);
      parts.push(
        text(BAR_X + BAR_WIDTH + 12, y + 13, entry.interruption === null ? "unknown in region" : `${entry.savingsPercent}% · ${entry.interruption}`, 'font-size="11"'),
      );
    }
    y += 36;
    let x = BAR_X;
    bucketLabels.forEach((label, index) => {
      parts.push(`<rect x="${x}" y="${y - 10}" width="12" height="12" fill="${BUCKET_COLOURS[Math.min(index, BUCKET_COLOURS.length - 1)]}"/>`);
      parts.push(text(x + 16, y, label, 'font-size="11"'));
      x += 70;
    });
  }
  const height = y + 24;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="Helvetica, Arial, sans-serif" fill="${COLOURS.text}">`,
    `<rect width="${WIDTH}" height="${height}" fill="#ffffff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}
