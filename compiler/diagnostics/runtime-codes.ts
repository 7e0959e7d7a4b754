/**
 * Codes of the errors the runtime throws (`FsmRuntimeError.code`), for `fsmc explain`. The
 * runtime owns the codes (a hundred per folder: engine 0001–0009, functions 0010–0019, resources 0020–0039, transactions 0040–0049, streaming 0050–0059); this
 * list mirrors them so the compiler never imports the runtime. A test keeps both in step.
 */
export const RUNTIME_CODES: Readonly<Record<string, { readonly title: string }>> = {
  FSMR0001: { title: "registered function not found" },
  FSMR0002: { title: "custom resource without a provider" },
  FSMR0003: { title: "processSync on an asynchronous machine" },
  FSMR0004: { title: "invalid machine definition" },
  FSMR0005: { title: "resource not declared by the state or arc" },
  FSMR0006: { title: "role not bound to a resource" },
  FSMR0007: { title: "record already in use by a DIRECT-mode run" },
  FSMR0008: { title: "machine is closed" },
  FSMR0010: { title: "built-in function not found" },
  FSMR0011: { title: "bad parameters of a built-in function" },
  FSMR0012: { title: "record a built-in transformer cannot process" },
  FSMR0013: { title: "a built-in database function failed" },
  FSMR0020: { title: "resource provider failed" },
  FSMR0021: { title: "resource pool acquire timed out" },
  FSMR0022: { title: "resource manager is closed" },
  FSMR0023: { title: "filesystem path escapes the base path" },
  FSMR0024: { title: "HTTP circuit breaker is open" },
  FSMR0025: { title: "HTTP error status" },
  FSMR0026: { title: "invalid resource configuration" },
  FSMR0027: { title: "native part of a resource not installed" },
  FSMR0028: { title: "unknown resource" },
  FSMR0029: { title: "optimistic lock conflict on a versioned row" },
  FSMR0040: { title: "ctx.tx call not allowed here" },
  FSMR0041: { title: "transaction could not begin, commit or roll back" },
  FSMR0050: { title: "invalid source options" },
  FSMR0051: { title: "a source's input cannot be read" },
  FSMR0055: { title: "invalid sink configuration" },
  FSMR0056: { title: "a sink's destination failed" },
  FSMR0057: { title: "an item a sink cannot write" },
  FSMR0058: { title: "write to a closed sink" },
  FSMR0059: { title: "a result without a route" },
};
