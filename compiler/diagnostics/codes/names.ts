import type { CodeInfo } from "../types.js";

/** FSM0200–FSM0299: duplicate names, unknown references, resource declarations (owner: compiler/check). */
export const NAME_CODES: Readonly<Record<string, CodeInfo>> = {
  FSM0201: { severity: "error", title: "duplicate machine name", name: "duplicate-machine" },
  FSM0202: { severity: "error", title: "duplicate network name", name: "duplicate-network" },
  FSM0203: { severity: "error", title: "duplicate state name", name: "duplicate-state" },
  FSM0204: { severity: "error", title: "unknown arc target", name: "unknown-state" },
  FSM0205: { severity: "error", title: "duplicate record type", name: "duplicate-record-type" },
  FSM0206: { severity: "error", title: "duplicate resource", name: "duplicate-resource" },
  FSM0207: { severity: "error", title: "unknown push target network", name: "unknown-network" },
  FSM0208: { severity: "error", title: "unknown push entry state", name: "unknown-entry-state" },
  FSM0209: { severity: "error", title: "unknown return state", name: "unknown-return-state" },
  FSM0210: { severity: "error", title: "unknown main network", name: "unknown-main-network" },
  FSM0211: { severity: "error", title: "unknown record type", name: "unknown-record-type" },
  FSM0212: { severity: "error", title: "unknown resource", name: "unknown-resource" },
  FSM0213: { severity: "error", title: "unknown error target", name: "unknown-error-target" },
  FSM0214: { severity: "error", title: "unknown built-in function", name: "unknown-builtin" },
  FSM0215: { severity: "error", title: "duplicate field", name: "duplicate-field" },
  FSM0216: { severity: "error", title: "duplicate resource role", name: "duplicate-role" },
  FSM0217: { severity: "error", title: "unknown resource kind", name: "unknown-resource-kind" },
  FSM0218: { severity: "error", title: "unknown resource configuration key", name: "unknown-resource-key" },
  FSM0219: { severity: "error", title: "resource configuration value of the wrong type", name: "resource-value-type" },
  FSM0220: { severity: "warning", title: "resource cannot open without options", name: "resource-needs-options" },
  FSM0221: { severity: "error", title: "pool size given twice", name: "pool-size-twice" },
  FSM0222: { severity: "error", title: "pool minimum above its maximum", name: "pool-min-above-max" },
};
