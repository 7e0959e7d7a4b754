/**
 * Terse hand-built machine definitions for engine tests, and a runner that checks `process` and
 * `processSync` agree on every case where both can run.
 */
import { expect } from "vitest";
import {
  type ArcDefinition,
  type Ctx,
  type Data,
  DEFAULT_RETRY,
  type DataMode,
  defineMachine,
  type FunctionSlot,
  type JsRecord,
  type MachineDefinition,
  type MachineOptions,
  type MachineSettings,
  type ProcessOptions,
  type PushIsolation,
  type ResourceBinding,
  type RunResult,
  type SchemaIssue,
  type StateDefinition,
} from "../../../runtime/index.js";

/** A user function as tests write it: the record as untyped JavaScript sees it (`JsRecord`). */
export type Fn = (data: JsRecord, ctx: Ctx) => unknown;

/** A function, or one with an explicit name (and async flag). */
export type FnSpec = Fn | { readonly name: string; readonly fn: Fn; readonly async?: boolean; readonly readsOnly?: boolean };

export interface PushSpec {
  /** `net` or `net:state`. */
  readonly to: string;
  readonly returns?: string;
  readonly isolation?: PushIsolation;
  /** parent field → child field */
  readonly map?: Readonly<Record<string, string>>;
  /** child field → parent field */
  readonly result?: Readonly<Record<string, string>>;
}

export interface ArcSpec {
  /** Target state (ignored for a push). */
  readonly to?: string;
  readonly when?: FnSpec;
  readonly priority?: number;
  readonly do?: FnSpec | readonly FnSpec[];
  readonly resources?: readonly (string | readonly [role: string, name: string])[];
  readonly push?: string | PushSpec;
  readonly metadata?: Readonly<Record<string, unknown>>;
}

export interface StateSpec {
  readonly start?: boolean;
  readonly final?: boolean;
  readonly runOnFailure?: boolean;
  readonly mode?: DataMode;
  readonly pre?: readonly FnSpec[];
  readonly check?: (data: Data) => readonly SchemaIssue[] | null;
  readonly transforms?: readonly FnSpec[];
  readonly validators?: readonly FnSpec[];
  /** A string is an unconditional arc to that state. */
  readonly arcs?: readonly (string | ArcSpec)[];
  readonly onError?: string;
  readonly resources?: readonly (string | readonly [role: string, name: string])[];
}

export interface MachineSpec {
  readonly name?: string;
  /** Networks in declaration order, each a map of states in declaration order. */
  readonly networks: Readonly<Record<string, Readonly<Record<string, StateSpec>>>>;
  /** Defaults to the first network. */
  readonly main?: string;
  readonly settings?: Partial<MachineSettings>;
  readonly resources?: readonly string[];
  readonly copyInput?: (data: Data) => Data;
}

/** A machine with one network `main`. */
export function flow(states: Readonly<Record<string, StateSpec>>, rest: Omit<MachineSpec, "networks"> = {}): MachineDefinition {
  return build({ ...rest, networks: { main: states } });
}

/** A slot; an anonymous function is named after its place (`s.transform#0`, `s->t.condition`), like inline code ids. */
function slot(spec: FnSpec, place: string): FunctionSlot {
  if (typeof spec === "function") {
    return { name: spec.name || place, kind: "inline", fn: spec as FunctionSlot["fn"], isAsync: false };
  }
  return {
    name: spec.name,
    kind: "registered",
    fn: spec.fn as FunctionSlot["fn"],
    isAsync: spec.async ?? false,
    ...(spec.readsOnly === true ? { readsOnly: true } : {}),
  };
}

function bindings(list: StateSpec["resources"]): ResourceBinding[] {
  return (list ?? []).map((r) => (typeof r === "string" ? { role: r, name: r } : { role: r[0], name: r[1] }));
}

/** Builds a definition from a spec; names resolve within their network (push targets across). */
export function build(spec: MachineSpec): MachineDefinition {
  const networkNames = Object.keys(spec.networks);
  const index = new Map<string, number>();
  const states: { net: number; name: string; spec: StateSpec }[] = [];
  networkNames.forEach((net, n) => {
    for (const [name, stateSpec] of Object.entries(spec.networks[net] ?? {})) {
      index.set(`${net}.${name}`, states.length);
      states.push({ net: n, name, spec: stateSpec });
    }
  });
  const find = (net: string, name: string): number => {
    const i = index.get(`${net}.${name}`);
    if (i === undefined) throw new Error(`test spec: no state ${net}.${name}`);
    return i;
  };
  const starts = networkNames.map((net, n) => states.findIndex((s) => s.net === n && s.spec.start === true));
  const defs: StateDefinition[] = states.map(({ net, name, spec: s }) => {
    const netName = networkNames[net] as string;
    const arcs: ArcDefinition[] = (s.arcs ?? []).map((a): ArcDefinition => {
      const arc: ArcSpec = typeof a === "string" ? { to: a } : a;
      const place = `${name}->${arc.push === undefined ? arc.to : typeof arc.push === "string" ? arc.push : arc.push.to}`;
      const transforms =
        arc.do === undefined ? [] : (Array.isArray(arc.do) ? arc.do : [arc.do]).map((f: FnSpec, i: number) => slot(f, `${place}.transform#${i}`));
      const base = {
        priority: arc.priority ?? 0,
        transforms,
        resources: bindings(arc.resources),
        ...(arc.when === undefined ? {} : { condition: slot(arc.when, `${place}.condition`) }),
        ...(arc.metadata === undefined ? {} : { metadata: arc.metadata }),
      };
      if (arc.push === undefined) return { ...base, target: find(netName, arc.to as string) };
      const push: PushSpec = typeof arc.push === "string" ? { to: arc.push } : arc.push;
      const [subNet, entry] = push.to.split(":") as [string, string | undefined];
      const subIndex = networkNames.indexOf(subNet);
      if (subIndex < 0) throw new Error(`test spec: no network ${subNet}`);
      return {
        ...base,
        target: entry === undefined ? (starts[subIndex] as number) : find(subNet, entry),
        push: {
          network: subIndex,
          isolation: push.isolation ?? "copy",
          returnState: push.returns === undefined ? -1 : find(netName, push.returns),
          dataMapping: Object.entries(push.map ?? {}),
          resultMapping: Object.entries(push.result ?? {}),
          explicitEntry: entry !== undefined,
        },
      };
    });
    return {
      name,
      network: net,
      isStart: s.start === true,
      isFinal: s.final === true,
      runOnFailure: s.runOnFailure === true,
      emitOutput: true,
      ...(s.mode === undefined ? {} : { dataMode: s.mode }),
      preValidators: (s.pre ?? []).map((f, i) => slot(f, `${name}.pre#${i}`)),
      ...(s.check === undefined ? {} : { check: s.check }),
      transforms: (s.transforms ?? []).map((f, i) => slot(f, `${name}.transform#${i}`)),
      validators: (s.validators ?? []).map((f, i) => slot(f, `${name}.validator#${i}`)),
      arcs,
      onError: s.onError === undefined ? -1 : find(netName, s.onError),
      resources: bindings(s.resources),
    };
  });
  const main = spec.main === undefined ? 0 : networkNames.indexOf(spec.main);
  return {
    name: spec.name ?? "test",
    source: "test.fsm",
    mainNetwork: main,
    networks: networkNames.map((name, n) => ({ name, start: starts[n] as number })),
    states: defs,
    settings: {
      maxTransitions: 1000,
      strategy: "depth_first",
      dataMode: "copy",
      retry: DEFAULT_RETRY,
      ...spec.settings,
    },
    resources: (spec.resources ?? []).map((name) => ({ name, type: "custom", config: {} })),
    ...(spec.copyInput === undefined ? {} : { copyInput: spec.copyInput }),
  };
}

export interface BothOptions {
  readonly process?: ProcessOptions;
  /** Fresh machine options per machine (e.g. a new SimulatedClock each). */
  readonly machine?: () => MachineOptions;
}

/**
 * Runs a case through `processSync` and `process` on two fresh machines (and fresh inputs) and
 * asserts the results are equal; returns the result. A definition with async slots runs only
 * through `process`.
 */
export async function runBoth(makeDef: () => MachineDefinition, makeInput: () => Data, options: BothOptions = {}): Promise<RunResult> {
  const asyncDef = makeDef();
  const asyncResult = await defineMachine(asyncDef, options.machine?.() ?? {}).process(makeInput(), options.process);
  const hasAsync = asyncDef.states.some(
    (s) =>
      [...s.preValidators, ...s.transforms, ...s.validators].some((f) => f.isAsync) ||
      s.arcs.some((a) => a.condition?.isAsync === true || a.transforms.some((f) => f.isAsync)),
  );
  if (!hasAsync) {
    const syncResult = defineMachine(makeDef(), options.machine?.() ?? {}).processSync(makeInput(), options.process);
    expect(asyncResult).toEqual(syncResult);
  }
  return asyncResult;
}

/** `runBoth` for a definition without side effects worth isolating. */
export function runFlow(def: MachineDefinition, input: Data, options: BothOptions = {}): Promise<RunResult> {
  return runBoth(() => def, () => structuredClone(input), options);
}
