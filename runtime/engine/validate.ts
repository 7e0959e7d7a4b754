/**
 * Checks run once by `defineMachine`: the definition's structure (indices, targets, settings),
 * that every function slot holds a function, and that every resource used has a handle. A
 * generated module never fails the first check (a failure is a generator bug); the other two
 * catch a caller passing incomplete `functions` or `resources`.
 */
import {
  FunctionNotFoundError,
  InvalidDefinitionError,
  ResourceUnavailableError,
} from "../errors.js";
import type { MachineOptions } from "../machine/api.js";
import { isProvider } from "../resources/config.js";
import { UnknownResourceError } from "../resources/errors.js";
import type {
  ArcDefinition,
  FunctionSlot,
  MachineDefinition,
  ResourceBinding,
  StateDefinition,
} from "../machine/definition.js";

/** Throws `InvalidDefinitionError` listing every structural problem of `def`. */
export function validateStructure(def: MachineDefinition): void {
  const problems: string[] = [];
  const stateCount = def.states.length;
  const networkCount = def.networks.length;
  const isState = (i: number): boolean => Number.isInteger(i) && i >= 0 && i < stateCount;
  const networkOf = (i: number): number => def.states[i]?.network ?? -1;

  if (!Number.isInteger(def.mainNetwork) || def.mainNetwork < 0 || def.mainNetwork >= networkCount) {
    problems.push(`main network index ${def.mainNetwork} is out of range`);
  }
  def.networks.forEach((network, n) => {
    if (network.start === -1) return;
    if (!isState(network.start)) problems.push(`network \`${network.name}\`: start state ${network.start} is out of range`);
    else if (networkOf(network.start) !== n) problems.push(`network \`${network.name}\`: start state is in another network`);
  });
  def.states.forEach((state, index) => {
    const where = `state \`${state.name}\` (#${index})`;
    if (!Number.isInteger(state.network) || state.network < 0 || state.network >= networkCount) {
      problems.push(`${where}: network ${state.network} is out of range`);
      return;
    }
    if (state.onError !== -1 && (!isState(state.onError) || networkOf(state.onError) !== state.network)) {
      problems.push(`${where}: the on-error target must be a state of the same network`);
    }
    for (const arc of state.arcs) problems.push(...arcProblems(def, state, arc, where, isState, networkOf));
  });
  problems.push(...settingsProblems(def));
  if (problems.length > 0) throw new InvalidDefinitionError(def.name, problems.join("; "));
}

function arcProblems(
  def: MachineDefinition,
  state: StateDefinition,
  arc: ArcDefinition,
  where: string,
  isState: (i: number) => boolean,
  networkOf: (i: number) => number,
): string[] {
  const problems: string[] = [];
  if (!Number.isFinite(arc.priority)) problems.push(`${where}: an arc has a non-finite priority`);
  const push = arc.push;
  if (push === undefined) {
    if (!isState(arc.target) || networkOf(arc.target) !== state.network) {
      problems.push(`${where}: arc target ${arc.target} is not a state of the same network`);
    }
    return problems;
  }
  const network = def.networks[push.network];
  if (!Number.isInteger(push.network) || network === undefined) {
    problems.push(`${where}: push network ${push.network} is out of range`);
    return problems;
  }
  if (push.explicitEntry || arc.target !== -1) {
    if (!isState(arc.target) || networkOf(arc.target) !== push.network) {
      problems.push(`${where}: push entry state ${arc.target} is not a state of network \`${network.name}\``);
    }
  }
  if (!push.explicitEntry && arc.target !== network.start) {
    problems.push(`${where}: a push without an explicit entry must target the start state of \`${network.name}\``);
  }
  if (push.returnState !== -1 && (!isState(push.returnState) || networkOf(push.returnState) !== state.network)) {
    problems.push(`${where}: push return state ${push.returnState} is not a state of the pushing network`);
  }
  return problems;
}

function settingsProblems(def: MachineDefinition): string[] {
  const { maxTransitions, timeoutSeconds, retry } = def.settings;
  const problems: string[] = [];
  if (!Number.isInteger(maxTransitions) || maxTransitions < 0) problems.push(`max transitions must be a non-negative integer`);
  if (timeoutSeconds !== undefined && !(timeoutSeconds > 0)) problems.push(`timeout must be a positive number of seconds`);
  if (!Number.isInteger(retry.maxRetries) || retry.maxRetries < 0) problems.push(`retry maxRetries must be a non-negative integer`);
  if (!(retry.initialDelayMs >= 0) || !(retry.backoffFactor >= 1) || !(retry.maxDelayMs >= 0)) {
    problems.push(`retry delays must be non-negative and the backoff factor at least 1`);
  }
  return problems;
}

/** Throws `FunctionNotFoundError` for the first slot that holds no function. */
export function validateFunctions(def: MachineDefinition): void {
  for (const slot of allSlots(def)) {
    if (typeof slot.fn !== "function") throw new FunctionNotFoundError(slot.name);
  }
}

/** Every function slot of the definition, states first, in declaration order. */
export function* allSlots(def: MachineDefinition): Generator<FunctionSlot> {
  for (const state of def.states) {
    yield* state.preValidators;
    yield* state.transforms;
    yield* state.validators;
    for (const arc of state.arcs) {
      if (arc.condition !== undefined) yield arc.condition;
      yield* arc.transforms;
    }
  }
}

/**
 * Checks the resources against the definition and the caller's `options.resources`: every
 * used resource is declared (`InvalidDefinitionError`), every name in `options.resources` is a
 * declared resource (`UnknownResourceError`), and a `custom` resource has a provider — its
 * class from `module`, or one passed in (`ResourceUnavailableError`). Configuration errors of
 * the built-in kinds come from their providers when the manager opens (FSMR0026).
 */
export function validateResources(def: MachineDefinition, options: MachineOptions): void {
  const given = options.resources ?? {};
  const declared = new Map(def.resources.map((r) => [r.name, r]));
  const check = (binding: ResourceBinding): void => {
    if (!declared.has(binding.name)) {
      throw new InvalidDefinitionError(def.name, `resource \`${binding.name}\` is used but not declared`);
    }
  };
  for (const state of def.states) {
    state.resources.forEach(check);
    for (const arc of state.arcs) arc.resources.forEach(check);
  }
  for (const name of Object.keys(given)) {
    if (!declared.has(name)) throw new UnknownResourceError(name, [...declared.keys()]);
  }
  for (const r of def.resources) {
    if (r.type === "custom" && r.provider === undefined && !isProvider(given[r.name])) throw new ResourceUnavailableError(r.name, r.type);
  }
}
