import type { Arc, FunctionRef, Machine, Network, State, TypeSchema } from "./types.js";

/** Where a function reference is used. */
export type FunctionSlot = "preValidator" | "transform" | "validator" | "condition" | "arcTransform";

/** One use of a function reference, with its owner. */
export interface FunctionUse {
  readonly ref: FunctionRef;
  readonly slot: FunctionSlot;
  readonly network: Network;
  readonly state: State;
  readonly arc?: Arc;
}

/** Every state of every network, in source order. */
export function* allStates(machine: Machine): Generator<{ network: Network; state: State }> {
  for (const network of machine.networks) for (const state of network.states) yield { network, state };
}

/** Every function reference of the machine, in source order. */
export function* allFunctionUses(machine: Machine): Generator<FunctionUse> {
  for (const { network, state } of allStates(machine)) {
    for (const ref of state.preValidators) yield { ref, slot: "preValidator", network, state };
    for (const ref of state.transforms) yield { ref, slot: "transform", network, state };
    for (const ref of state.validators) yield { ref, slot: "validator", network, state };
    for (const arc of state.arcs) {
      if (arc.condition) yield { ref: arc.condition, slot: "condition", network, state, arc };
      for (const ref of arc.transforms) yield { ref, slot: "arcTransform", network, state, arc };
    }
  }
}

/** Every node of a schema, the node itself first, then its children depth-first in source order. */
export function* schemaNodes(schema: TypeSchema): Generator<TypeSchema> {
  yield schema;
  switch (schema.kind) {
    case "ObjectType":
      for (const field of schema.fields) yield* schemaNodes(field.type);
      return;
    case "ArrayType":
      yield* schemaNodes(schema.items);
      return;
    case "UnionType":
      for (const member of schema.members) yield* schemaNodes(member);
      return;
    case "StringType":
    case "NumberType":
    case "BooleanType":
    case "NullType":
    case "AnyType":
    case "EnumType":
    case "RecordRef":
      return;
    default:
      return assertNever(schema);
  }
}

/** Exhaustiveness helper for `switch` over `kind`. */
export function assertNever(value: never): never {
  throw new Error(`unexpected IR node: ${JSON.stringify(value)}`);
}
