/** The IR: plain readonly data types, id derivation, traversal and the stable JSON printer. */
export * from "./types.js";
export { networkId, stateId, splitStateId, arcId, compareCodePoints } from "./ids.js";
export { printStableJson } from "./print.js";
export { allStates, allFunctionUses, assertNever, schemaNodes, type FunctionSlot, type FunctionUse } from "./walk.js";
