/**
 * Codes of the errors the runtime throws (`FsmRuntimeError.code`), for `fsmc explain`. The
 * runtime owns the codes (a hundred per folder: engine 0001–0009, functions 0010–0019); this
 * list mirrors them so the compiler never imports the runtime. A test keeps both in step.
 */
export const RUNTIME_CODES: Readonly<Record<string, { readonly title: string }>> = {
  FSMR0001: { title: "registered function not found" },
  FSMR0002: { title: "resource without a handle" },
  FSMR0003: { title: "processSync on an asynchronous machine" },
  FSMR0004: { title: "invalid machine definition" },
  FSMR0005: { title: "resource not declared by the state or arc" },
  FSMR0006: { title: "role not bound to a resource" },
  FSMR0007: { title: "record already in use by a DIRECT-mode run" },
  FSMR0008: { title: "machine is closed" },
  FSMR0010: { title: "built-in function not found" },
  FSMR0011: { title: "bad parameters of a built-in function" },
  FSMR0012: { title: "record a built-in transformer cannot process" },
};
