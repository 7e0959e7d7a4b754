/** The workload as an XState v5 machine (createActor per record, and the pure `transition`). */
import { assign, createActor, createMachine, initialTransition, transition } from "xstate";
import type { WorkRecord } from "./records.js";

interface Ctx {
  id: number;
  name: string;
  amount: number;
  tier: string;
  amount_cents?: number;
  discount?: number;
  label?: string;
}

/** validate → transform → route → enrich → done | rejected with eventless (`always`) transitions. */
export const workloadMachine = createMachine({
  types: {} as { context: Ctx; input: WorkRecord },
  id: "workload",
  initial: "validate",
  context: ({ input }) => ({ id: input.id, name: input.name, amount: input.amount, tier: input.tier }),
  states: {
    validate: {
      always: [
        { target: "transform", guard: ({ context: d }) => Number.isInteger(d.id) && d.name.trim() !== "" && d.amount >= 0 },
        { target: "rejected" },
      ],
    },
    transform: {
      entry: assign(({ context: d }) => ({ name: d.name.trim().toLowerCase(), amount_cents: d.amount * 100 })),
      always: { target: "route" },
    },
    route: { always: [{ target: "enrich", guard: ({ context: d }) => d.tier === "gold" }, { target: "done" }] },
    enrich: {
      entry: assign(({ context: d }) => ({ discount: Math.floor((d.amount_cents ?? 0) / 10), label: "vip" })),
      always: { target: "done" },
    },
    done: { type: "final" },
    rejected: { type: "final" },
  },
});

/** One record through a fresh actor. */
export function viaActor(rec: WorkRecord): { final: string; data: Ctx } {
  const actor = createActor(workloadMachine, { input: rec });
  actor.start();
  const snap = actor.getSnapshot();
  actor.stop();
  return { final: String(snap.value), data: snap.context };
}

/** One record through the pure `initialTransition` (eventless transitions resolve at once). */
export function viaTransition(rec: WorkRecord): { final: string; data: Ctx } {
  const [snap] = initialTransition(workloadMachine, rec);
  return { final: String(snap.value), data: snap.context };
}

export { transition };
