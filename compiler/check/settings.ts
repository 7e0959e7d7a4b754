/** Machine settings: transition limit, timeout, retry policy. */
import type { Machine } from "../ir/index.js";
import type { Diagnostic } from "../diagnostics/types.js";
import { invalidMaxTransitions, invalidRetryPolicy, invalidTimeout } from "../diagnostics/factories/structure.js";

/** Settings outside their ranges (SEMANTICS §1.7, decision E11). */
export function checkSettings(machine: Machine): Diagnostic[] {
  const { settings } = machine;
  const out: Diagnostic[] = [];
  if (!Number.isInteger(settings.maxTransitions) || settings.maxTransitions < 1) {
    out.push(invalidMaxTransitions(settings.maxTransitions, settings.span));
  }
  if (settings.timeoutSeconds !== undefined && !(Number.isFinite(settings.timeoutSeconds) && settings.timeoutSeconds > 0)) {
    out.push(invalidTimeout(settings.timeoutSeconds, settings.span));
  }
  const retry = settings.retry;
  const rules: [string, number, boolean, string][] = [
    ["maxRetries", retry.maxRetries, Number.isInteger(retry.maxRetries) && retry.maxRetries >= 0, "a whole number ≥ 0"],
    ["initialDelayMs", retry.initialDelayMs, Number.isFinite(retry.initialDelayMs) && retry.initialDelayMs >= 0, "a number of milliseconds ≥ 0"],
    ["backoffFactor", retry.backoffFactor, Number.isFinite(retry.backoffFactor) && retry.backoffFactor >= 1, "a number ≥ 1"],
    [
      "maxDelayMs",
      retry.maxDelayMs,
      Number.isFinite(retry.maxDelayMs) && retry.maxDelayMs >= Math.max(0, retry.initialDelayMs),
      `a number of milliseconds ≥ initialDelayMs (${retry.initialDelayMs})`,
    ],
  ];
  for (const [field, value, ok, requirement] of rules) if (!ok) out.push(invalidRetryPolicy(field, value, requirement, settings.span));
  return out;
}
