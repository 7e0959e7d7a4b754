/**
 * The progress display of `fsmc batch`: pure renderers from a batch's progress, the terminal
 * width and the elapsed time to one line of text (no I/O, no clock; the command writes them).
 */
import type { BatchProgress } from "./commands/load.js";

/** Width of the bar itself, between its brackets, when the terminal leaves room for it. */
const BAR_WIDTH = 24;

/** `m:ss` (or `h:mm:ss`) for a duration in seconds, rounded up; `--:--` when unknown. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return "--:--";
  const s = Math.ceil(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${rest}` : `${m}:${rest}`;
}

/** Records per second of the records that ran (cancelled ones did not), over `elapsedMs`. */
export function ratePerSecond(progress: BatchProgress, elapsedMs: number): number {
  return elapsedMs > 0 ? ((progress.succeeded + progress.failed) * 1000) / elapsedMs : 0;
}

/** Results by final state, largest first, then by name: `done 12 · rejected 3`. */
export function finalStateCounts(progress: BatchProgress, separator = " · "): string {
  return Object.entries(progress.byFinalState)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))
    .map(([state, n]) => `${state} ${n}`)
    .join(separator);
}

/** The seconds left at the current rate, when the total is known and records have run. */
function etaSeconds(progress: BatchProgress, elapsedMs: number): number | undefined {
  const rate = ratePerSecond(progress, elapsedMs);
  if (progress.total === undefined || rate <= 0) return undefined;
  return Math.max(0, progress.total - progress.done) / rate;
}

function bar(done: number, total: number, width: number): string {
  const filled = total > 0 ? Math.min(width, Math.floor((done / total) * width)) : width;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}]`;
}

function percent(done: number, total: number): string {
  return `${total > 0 ? Math.floor((done / total) * 100) : 100}%`;
}

/**
 * The redrawn terminal line: a bar and a percentage when the total is known, records done, the
 * rate, the ETA when the total is known, failures and per-final-state counts; cut to `width - 1`
 * characters so that it never wraps (the caller writes it after `\r`).
 */
export function renderBar(progress: BatchProgress, width: number, elapsedMs: number): string {
  const parts: string[] = [];
  const { total } = progress;
  if (total !== undefined) {
    parts.push(`${bar(progress.done, total, BAR_WIDTH)} ${percent(progress.done, total).padStart(4)}`);
    parts.push(`${progress.done}/${total}`);
  } else {
    parts.push(`${progress.done} records`);
  }
  parts.push(`${Math.round(ratePerSecond(progress, elapsedMs))}/s`);
  if (total !== undefined) parts.push(`ETA ${formatDuration(etaSeconds(progress, elapsedMs) ?? Number.NaN)}`);
  if (progress.failed > 0) parts.push(`failed ${progress.failed}`);
  if (progress.cancelled > 0) parts.push(`cancelled ${progress.cancelled}`);
  const states = finalStateCounts(progress);
  if (states !== "") parts.push(states);
  const line = parts.join("  ");
  const room = Math.max(0, width - 1);
  return line.length <= room ? line : `${line.slice(0, Math.max(0, room - 1))}…`;
}

/** The periodic plain line printed without a terminal (one every few seconds). */
export function renderLine(progress: BatchProgress, elapsedMs: number): string {
  const { total } = progress;
  const done = total !== undefined ? `${progress.done}/${total} records (${percent(progress.done, total)})` : `${progress.done} records`;
  const eta = total !== undefined ? `, ETA ${formatDuration(etaSeconds(progress, elapsedMs) ?? Number.NaN)}` : "";
  const states = finalStateCounts(progress, ", ");
  return (
    `fsmc batch: ${done}, ${Math.round(ratePerSecond(progress, elapsedMs))}/s${eta}; ` +
    `${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.cancelled} cancelled` +
    (states === "" ? "" : `; final states: ${states}`)
  );
}

/** The final summary line, printed in every progress mode. */
export function renderSummary(progress: BatchProgress, elapsedMs: number, stoppedBy?: string): string {
  const states = finalStateCounts(progress, ", ");
  return (
    `fsmc batch: ${progress.done} records in ${(elapsedMs / 1000).toFixed(1)}s (${Math.round(ratePerSecond(progress, elapsedMs))}/s): ` +
    `${progress.succeeded} succeeded, ${progress.failed} failed, ${progress.cancelled} cancelled` +
    (states === "" ? "" : `; final states: ${states}`) +
    (stoppedBy === undefined ? "" : ` (stopped by ${stoppedBy})`)
  );
}
