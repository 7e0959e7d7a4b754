/**
 * Turns a validated `MachineDefinition` into the engine's tables, once per machine: arcs sorted
 * by priority, messages and usage keys precomputed, resources resolved to handles by role, and
 * the `ctx.metadata` object of every slot built ahead (so a call only assigns fields).
 */
import type {
  Data,
  FunctionSlot,
  MachineDefinition,
  ResourceBinding,
  SchemaIssue,
  StateDefinition,
  Strategy,
  TransactionSettings,
  WritePath,
} from "../machine/definition.js";
import { DEFAULT_TRANSACTION } from "../machine/definition.js";
import type { MachineOptions } from "../machine/api.js";
import { type Copier, RecordCopier } from "../modes/copy.js";
import { pathCopier } from "../modes/path-copy.js";
import { type ModeCode, modeCode } from "../modes/modes.js";
import type { FunctionContext } from "./context.js";
import { type Chooser, lazyChooser, wantsChooser } from "./choose.js";
import { allSlots } from "./validate.js";

/** A slot function as the engine calls it. */
export type Callable = (data: Data, ctx: FunctionContext) => unknown;

/** A function slot as the engine calls it. */
export interface PreparedSlot {
  readonly name: string;
  readonly fn: Callable;
}

type Meta = Readonly<Record<string, unknown>>;
type Handles = Readonly<Record<string, unknown>>;
type Roles = Readonly<Record<string, string>>;

/** What a state's functions see: resources by role and the `ctx.metadata` of each slot kind. */
export interface EntryScope {
  readonly handles: Handles;
  readonly roles: Roles;
  readonly isEmpty: boolean;
  readonly preMeta: Meta;
  readonly transformMeta: Meta;
  readonly validateMeta: Meta;
}

/** What an arc's condition and transforms see: the state's resources merged with the arc's (Q15). */
export interface ArcScope {
  readonly handles: Handles;
  readonly meta: Meta;
}

/** Push isolation codes (`copy`, `reference`, `serialize`). */
export const ISOLATE_COPY = 0;
/** See ISOLATE_COPY. */
export const ISOLATE_REFERENCE = 1;
/** See ISOLATE_COPY. */
export const ISOLATE_SERIALIZE = 2;

/** The push-specific part of an arc. */
export interface PreparedPush {
  readonly network: number;
  readonly isolation: typeof ISOLATE_COPY | typeof ISOLATE_REFERENCE | typeof ISOLATE_SERIALIZE;
  readonly returnState: number;
  readonly dataMapping: readonly (readonly [string, string])[];
  readonly resultMapping: readonly (readonly [string, string])[];
}

/** An arc with its messages, usage key, resources and ctx metadata ready. */
export interface PreparedArc {
  /** Index in `PreparedMachine.arcs` (usage counters). */
  readonly id: number;
  readonly source: number;
  /** The state entered (for a push, the sub-network's entry state; -1 when that network has none). */
  readonly target: number;
  readonly condition: PreparedSlot | null;
  readonly transforms: readonly PreparedSlot[];
  readonly push: PreparedPush | null;
  /** `<source> -> <target>` (a push target reads `<network>` or `<network>:<state>`, decision E8). */
  readonly label: string;
  readonly usageKey: string;
  readonly scope: ArcScope;
  /** The arc's own resource bindings (acquired for its condition, and for its transform chain). */
  readonly own: readonly ResourceBinding[];
  readonly ownRoles: Roles;
  /**
   * The resource-optimized strategy's cost: the fewest resource acquisitions a run needs from
   * taking this arc to reaching a terminal (resourceCosts).
   */
  readonly resourceCount: number;
  readonly isStreaming: boolean;
  readonly copier: Copier;
  readonly priority: number;
  readonly targetName: string;
}

/** A state with its arcs sorted by priority and its ctx scope ready. */
export interface PreparedState {
  readonly index: number;
  readonly name: string;
  /** Null in the main network (SEMANTICS §2.10 `network_name`). */
  readonly networkName: string | null;
  readonly isFinal: boolean;
  readonly runOnFailure: boolean;
  /** The state's own data mode, or -1 to use the run's. */
  readonly mode: ModeCode | -1;
  readonly pre: readonly PreparedSlot[];
  readonly check: ((data: Data) => readonly SchemaIssue[] | null) | null;
  readonly transforms: readonly PreparedSlot[];
  readonly validators: readonly PreparedSlot[];
  /** Outgoing arcs by priority (descending), then declaration order. */
  readonly arcs: readonly PreparedArc[];
  readonly onError: number;
  readonly scope: EntryScope;
  /** The state's own resource bindings (acquired on entry, engine/resources.ts). */
  readonly own: readonly ResourceBinding[];
  readonly copier: Copier;
  /** True when the entry procedure calls nothing (no pre-validators, check, transforms or validators). */
  readonly isPassive: boolean;
  /** The compiled depth-first choice among `arcs` (choose.ts, compiled on first use), or null to use the generic loop. */
  choose: Chooser | null;
  /**
   * True when nothing this state calls can write to the record: no pre-validators, transforms or
   * validators, and every condition proved read-only. A COPY run whose record is still the
   * untouched input copy stays so through this state (see `Run.fresh`). Only for machines with a
   * generated input copy, whose records hold plain data and no functions of their own.
   */
  readonly keepsFresh: boolean;
}

/** Strategy codes (SEMANTICS §2.8). */
export const DEPTH_FIRST = 0;
/** See DEPTH_FIRST. */
export const BREADTH_FIRST = 1;
/** See DEPTH_FIRST. */
export const RESOURCE_OPTIMIZED = 2;
/** See DEPTH_FIRST. */
export const STREAM_OPTIMIZED = 3;

const STRATEGY_CODES: Readonly<Record<Strategy, number>> = {
  depth_first: DEPTH_FIRST,
  breadth_first: BREADTH_FIRST,
  resource_optimized: RESOURCE_OPTIMIZED,
  stream_optimized: STREAM_OPTIMIZED,
};

/** The code of a strategy name; a RangeError naming the valid ones for anything else. */
export function strategyCode(strategy: Strategy): number {
  const code = Object.hasOwn(STRATEGY_CODES, strategy) ? STRATEGY_CODES[strategy] : undefined;
  if (code === undefined) throw new RangeError(`unknown strategy \`${String(strategy)}\` (one of ${Object.keys(STRATEGY_CODES).join(", ")})`);
  return code;
}

/** The engine tables of one machine, built once by `prepareMachine`. */
export interface PreparedMachine {
  readonly name: string;
  readonly states: readonly PreparedState[];
  readonly arcs: readonly PreparedArc[];
  readonly stateNames: readonly string[];
  readonly networkNames: readonly string[];
  readonly mainNetwork: number;
  readonly mainStart: number;
  readonly maxTransitions: number;
  readonly timeoutSeconds: number | undefined;
  readonly strategy: number;
  readonly retry: MachineDefinition["settings"]["retry"];
  readonly dataMode: ModeCode;
  /** The machine's `transaction` setting (defaults filled in). */
  readonly transaction: TransactionSettings;
  /** Names of the functions declared async (processSync refuses to run when non-empty). */
  readonly asyncFunctions: readonly string[];
  /** True when some state or arc uses a resource (runs then hold handles: engine/resources.ts). */
  readonly usesResources: boolean;
  readonly inputCopier: (data: Data) => Data;
  /** State index for `initialState`: main network first, then the others in order (E7); -1 if none. */
  findState(name: string): number;
  /** The trace event of `arc` used without its target being entered (trace.ts). */
  usedOnlyEvent(arc: PreparedArc): number;
}

const EMPTY_HANDLES: Handles = Object.freeze({});
const EMPTY_ROLES: Roles = Object.freeze({});

/** Builds the engine tables of an already validated definition. */
export function prepareMachine(def: MachineDefinition, options: MachineOptions): PreparedMachine {
  const names = def.states.map((s) => s.name);
  const copierOf = copySites(def);
  const arcs: PreparedArc[] = [];
  const arcCosts = resourceCosts(def);
  const states = def.states.map((state, index): PreparedState => {
    const own = bindResources(state.resources);
    const networkName = state.network === def.mainNetwork ? null : (def.networks[state.network]?.name ?? null);
    const scope = entryScope(state.name, own.handles, own.roles);
    const sorted = state.arcs
      .map((arc, order) => ({ arc, order }))
      .sort((a, b) => b.arc.priority - a.arc.priority || a.order - b.order);
    const prepared = sorted.map(({ arc, order }) => {
      const arcOwn = bindResources(arc.resources);
      const targetName = arc.target >= 0 ? (names[arc.target] ?? "") : "";
      const targetLabel = arc.push === undefined ? targetName : pushLabel(def, arc.push.network, arc.push.explicitEntry, targetName);
      const preparedArc: PreparedArc = {
        id: arcs.length,
        source: index,
        target: arc.target,
        condition: arc.condition === undefined ? null : prepareSlot(arc.condition),
        transforms: arc.transforms.map(prepareSlot),
        push:
          arc.push === undefined
            ? null
            : {
                network: arc.push.network,
                isolation:
                  arc.push.isolation === "copy" ? ISOLATE_COPY : arc.push.isolation === "reference" ? ISOLATE_REFERENCE : ISOLATE_SERIALIZE,
                returnState: arc.push.returnState,
                dataMapping: arc.push.dataMapping,
                resultMapping: arc.push.resultMapping,
              },
        label: `${state.name} -> ${targetLabel}`,
        usageKey: `arc_${state.name}_${targetLabel}_usage`,
        scope: EMPTY_ARC_SCOPE,
        own: arc.resources,
        ownRoles: arcOwn.roles,
        resourceCount: arcCosts[index]?.[order] ?? 0,
        isStreaming: arc.metadata?.["streaming"] === true,
        copier: copierOf(state, arc.writes),
        priority: arc.priority,
        targetName,
      };
      const withScope: PreparedArc = { ...preparedArc, scope: arcScope(preparedArc, state.name, scope) };
      arcs.push(withScope);
      return withScope;
    });
    const preparedState: PreparedState = {
      index,
      name: state.name,
      networkName,
      isFinal: state.isFinal,
      runOnFailure: state.runOnFailure,
      mode: state.dataMode === undefined ? -1 : modeCode(state.dataMode),
      pre: state.preValidators.map(prepareSlot),
      check: state.check ?? null,
      transforms: state.transforms.map(prepareSlot),
      validators: state.validators.map(prepareSlot),
      arcs: prepared,
      onError: state.onError,
      scope,
      own: state.resources,
      copier: copierOf(state, entryWrites(state)),
      isPassive:
        state.preValidators.length === 0 && state.check === undefined && state.transforms.length === 0 && state.validators.length === 0,
      choose: null,
      keepsFresh:
        def.copyInput !== undefined &&
        state.preValidators.length === 0 &&
        state.transforms.length === 0 &&
        state.validators.length === 0 &&
        state.arcs.every((arc) => arc.condition === undefined || arc.condition.readsOnly === true),
    };
    // The compiled chooser hands its conditions static scopes: not for states holding resources.
    const holdsResources = state.resources.length > 0 || state.arcs.some((arc) => arc.resources.length > 0);
    if (def.settings.strategy === "depth_first" && !holdsResources && wantsChooser(prepared)) {
      preparedState.choose = lazyChooser(prepared, (chooser) => {
        preparedState.choose = chooser;
      });
    }
    return preparedState;
  });
  return {
    name: def.name,
    states,
    arcs,
    stateNames: names,
    networkNames: def.networks.map((n) => n.name),
    mainNetwork: def.mainNetwork,
    mainStart: def.networks[def.mainNetwork]?.start ?? -1,
    maxTransitions: def.settings.maxTransitions,
    timeoutSeconds: def.settings.timeoutSeconds,
    strategy: STRATEGY_CODES[def.settings.strategy],
    retry: def.settings.retry,
    dataMode: modeCode(options.dataMode ?? def.settings.dataMode),
    transaction: def.settings.transaction ?? DEFAULT_TRANSACTION,
    asyncFunctions: asyncFunctionNames(def),
    usesResources: def.states.some((s) => s.resources.length > 0 || s.arcs.some((a) => a.resources.length > 0)),
    inputCopier: inputCopier(def),
    findState: stateFinder(def),
    usedOnlyEvent: (arc) => -1 - arcs.length - arc.id,
  };
}

/**
 * For every arc (by state, in declaration order), the fewest resource acquisitions a run needs
 * from taking it to reaching a terminal: the arc's own resources, then each state entered its
 * own (a push adds its sub-network's way to a terminal, then its return state's). A shortest-path
 * relaxation over the definition's graph (cycles included); an arc from which no terminal can
 * be reached costs more than any that can. This is what `resource_optimized` compares (§2.8:
 * "the arc with the fewest resource requirements"), so a cheap first step into an expensive
 * route does not win over a route that is cheaper to finish.
 */
export function resourceCosts(def: MachineDefinition): number[][] {
  const states = def.states;
  const UNREACHABLE = 1e9;
  // toEnd[s]: fewest acquisitions from being in state s (already entered) to a terminal.
  const toEnd: number[] = states.map((st) => (st.isFinal ? 0 : UNREACHABLE));
  const enter = (target: number): number => (target < 0 ? UNREACHABLE : (states[target]?.resources.length ?? 0) + (toEnd[target] ?? UNREACHABLE));
  const arcCost = (arc: MachineDefinition["states"][number]["arcs"][number]): number => {
    let cost = arc.resources.length + enter(arc.target);
    if (arc.push !== undefined && arc.push.returnState >= 0) cost += enter(arc.push.returnState);
    return Math.min(cost, UNREACHABLE);
  };
  for (let changed = true, rounds = 0; changed && rounds <= states.length + 1; rounds++) {
    changed = false;
    states.forEach((st, s) => {
      if (st.isFinal) return;
      let best = UNREACHABLE;
      for (const arc of st.arcs) best = Math.min(best, arcCost(arc));
      if (best < (toEnd[s] ?? UNREACHABLE)) {
        toEnd[s] = best;
        changed = true;
      }
    });
  }
  return states.map((st) => st.arcs.map(arcCost));
}

const EMPTY_ARC_SCOPE: ArcScope = { handles: EMPTY_HANDLES, meta: Object.freeze({}) };

function prepareSlot(slot: FunctionSlot): PreparedSlot {
  return { name: slot.name, fn: slot.fn as unknown as Callable };
}

function pushLabel(def: MachineDefinition, network: number, explicitEntry: boolean, entryName: string): string {
  const networkName = def.networks[network]?.name ?? "";
  return explicitEntry ? `${networkName}:${entryName}` : networkName;
}

/** The role → resource name map of bindings; the handles come per run (engine/resources.ts). */
function bindResources(bindings: readonly ResourceBinding[]): { handles: Handles; roles: Roles } {
  if (bindings.length === 0) return { handles: EMPTY_HANDLES, roles: EMPTY_ROLES };
  const roles: Record<string, string> = {};
  for (const binding of bindings) roles[binding.role] = binding.name;
  return { handles: EMPTY_HANDLES, roles: Object.freeze(roles) };
}

/** `scope` with the handles a run acquired for it. */
export function withHandles(scope: EntryScope, handles: Handles): EntryScope {
  return { ...scope, handles: Object.freeze({ ...scope.handles, ...handles }) };
}

/** The scope of a state: its own resources, or (inside a subflow) merged over the inherited ones. */
export function entryScope(stateName: string, handles: Handles, roles: Roles): EntryScope {
  return {
    handles,
    roles,
    isEmpty: Object.keys(roles).length === 0,
    preMeta: Object.freeze({ state: stateName, phase: "pre_validation", resource_roles: roles }),
    transformMeta: Object.freeze({ state: stateName, resource_roles: roles }),
    validateMeta: Object.freeze({ state: stateName, phase: "validation", resource_roles: roles }),
  };
}

/** Merges a state scope under an inherited one: the state's own role bindings win. */
export function inheritScope(inherited: EntryScope, stateName: string, own: EntryScope): EntryScope {
  const handles = Object.freeze({ ...inherited.handles, ...own.handles });
  const roles = Object.freeze({ ...inherited.roles, ...own.roles });
  return entryScope(stateName, handles, roles);
}

/** The scope of an arc's functions: the state's resources merged with the arc's (handles acquired for it), the arc winning (Q15). */
export function arcScope(arc: PreparedArc, sourceName: string, state: EntryScope, arcHandles: Handles = EMPTY_HANDLES): ArcScope {
  const handles = arc.ownRoles === EMPTY_ROLES ? state.handles : Object.freeze({ ...state.handles, ...arcHandles });
  const roles = arc.ownRoles === EMPTY_ROLES ? state.roles : Object.freeze({ ...state.roles, ...arc.ownRoles });
  const meta = Object.freeze({
    source_state: sourceName,
    target_state: arc.targetName,
    arc_priority: arc.priority,
    stream_enabled: false,
    resource_roles: roles,
  });
  return { handles, meta };
}

function asyncFunctionNames(def: MachineDefinition): string[] {
  const names = new Set<string>();
  for (const slot of allSlots(def)) if (slot.isAsync) names.add(slot.name);
  return [...names];
}

/** A state's `writes`, plus the engine's own: a pre-validator's object is merged into the record's root (E4). */
function entryWrites(state: StateDefinition): readonly WritePath[] | undefined {
  if (state.writes === undefined || state.preValidators.length === 0) return state.writes;
  return [...state.writes, [null]];
}

/**
 * The copier of a state's entry or of one of its arcs' transform chains: only the paths it writes
 * when the compiler listed them (runtime/modes/path-copy.ts), else the whole record. A path copy
 * shares the unwritten parts with the record it starts from, which is exact while that record
 * belongs to the run alone. So only: with a generated input copy (records of plain data, as for
 * `keepsFresh`); for a state without a data mode of its own, which copies only in a COPY run,
 * whose records all descend from its input copy (a `copy` state in a REFERENCE run would share
 * parts with the caller's object); and never in a machine with a `reference` push, where a
 * sub-network's record is the parent's own object (a frame keeps it).
 */
function copySites(def: MachineDefinition): (state: StateDefinition, writes: readonly WritePath[] | undefined) => Copier {
  const sharesParent = def.states.some((s) => s.arcs.some((a) => a.push?.isolation === "reference"));
  const paths = def.copyInput !== undefined && !sharesParent;
  return (state, writes) => (paths && state.dataMode === undefined && writes !== undefined ? pathCopier(writes) : new RecordCopier());
}

function inputCopier(def: MachineDefinition): (data: Data) => Data {
  if (def.copyInput !== undefined) return def.copyInput;
  const copier = new RecordCopier();
  return (data) => copier.copy(data);
}

function stateFinder(def: MachineDefinition): (name: string) => number {
  const order = [def.mainNetwork, ...def.networks.map((_, i) => i).filter((i) => i !== def.mainNetwork)];
  const byName = new Map<string, number>();
  for (const network of order) {
    def.states.forEach((state, index) => {
      if (state.network === network && !byName.has(state.name)) byName.set(state.name, index);
    });
  }
  return (name) => byName.get(name) ?? -1;
}
