import { closestNames } from "../did-you-mean.js";
import type { Span } from "../../source/index.js";
import type { Diagnostic, Label } from "../types.js";

/** FSM0501: inline code that is not valid TypeScript, or does not type-check, in its slot. */
export function inlineCodeError(inlineId: string, span: Span, tsMessage: string, tsCode?: number): Diagnostic {
  return {
    code: "FSM0501",
    severity: "error",
    message: `inline code \`${inlineId}\` does not compile`,
    labels: [{ span, primary: true, message: firstSentence(tsMessage) }],
    notes: [tsCode !== undefined ? `TS${tsCode}: ${tsMessage}` : tsMessage],
    help: "inline code is an expression or a function body over `data` and `ctx`; fix it as TypeScript",
  };
}

/** FSM0502: a registered function whose type does not fit the slots it is used in. */
export function functionTypeMismatch(name: string, module: string, span: Span, tsMessage: string, interfaceName: string): Diagnostic {
  return {
    code: "FSM0502",
    severity: "error",
    message: `function \`${name}\` in \`${module}\` does not match its uses`,
    labels: [{ span, primary: true, message: `\`${name}\` is used here` }],
    notes: [tsMessage],
    help: `give \`${name}\` the type of \`${interfaceName}["${name}"]\` in the generated module`,
  };
}

/** FSM0503: the functions module does not export a function the machine names. */
export function missingFunctionExport(name: string, module: string, span: Span): Diagnostic {
  return {
    code: "FSM0503",
    severity: "error",
    message: `\`${module}\` does not export function \`${name}\``,
    labels: [{ span, primary: true, message: `\`${name}\` is used here` }],
    notes: [],
    help: `export a function named \`${name}\` from \`${module}\` (\`fsmc build\` appends a stub for it when it can)`,
  };
}

/** One declaration of a generated name: where it comes from. */
export interface GeneratedName {
  readonly what: string;
  readonly span?: Span;
}

/** FSM0504: a generated module would declare (or import) one name twice. */
export function generatedNameClash(name: string, module: string, first: GeneratedName, second: GeneratedName & { readonly span: Span }): Diagnostic {
  const labels: Label[] = [{ span: second.span, primary: true, message: `${second.what} is emitted as \`${name}\`` }];
  if (first.span) labels.push({ span: first.span, primary: false, message: `${first.what} is emitted as \`${name}\`` });
  return {
    code: "FSM0504",
    severity: "error",
    message: `\`${name}\` would be declared twice in \`${module}\``,
    labels,
    notes: first.span ? [] : [`\`${name}\` is taken by ${first.what}`],
    help: "rename the record or the machine; a machine `orders` generates `OrdersState`, `OrdersOptions`, `createOrders`, …",
  };
}

/** FSM0505: a registered function name that cannot be exported from a module. */
export function invalidFunctionName(name: string, span: Span): Diagnostic {
  return {
    code: "FSM0505",
    severity: "error",
    message: `registered function name \`${name}\` is not a JavaScript identifier`,
    labels: [{ span, primary: true, message: "the functions module must export a function of this name" }],
    notes: ["names are letters, digits, `_` and `$`, not starting with a digit, and not a reserved word"],
    help: "rename the function, e.g. with `_` instead of `-` or `.`",
  };
}

/** FSM0506: stubs cannot be appended because the module re-exports another module wholesale. */
export function opaqueFunctionsModule(module: string, span: Span, missing: readonly string[]): Diagnostic {
  return {
    code: "FSM0506",
    severity: "warning",
    message: `\`${module}\` uses \`export *\`; no stubs were appended`,
    labels: [{ span, primary: true, message: "functions module named here" }],
    notes: [`not exported by name: ${missing.map((n) => `\`${n}\``).join(", ")}`],
    help: "export the functions by name, or write the missing ones yourself",
  };
}

/** FSM0507: a functions module path the generated code cannot import or stub. */
export function badFunctionsPath(path: string, span: Span, reason: string): Diagnostic {
  return {
    code: "FSM0507",
    severity: "error",
    message: `cannot use \`${path}\` as the functions module`,
    labels: [{ span, primary: true }],
    notes: [reason],
    help: "name a TypeScript file relative to the source, e.g. `./orders.functions.ts`",
  };
}

/** FSM0508: the functions module a definition names cannot be resolved when type-checking. */
export function functionsModuleMissing(module: string, span: Span, tsMessage: string): Diagnostic {
  return {
    code: "FSM0508",
    severity: "error",
    message: `functions module \`${module}\` not found`,
    labels: [{ span, primary: true, message: "named here" }],
    notes: tsMessage === "" ? [] : [tsMessage],
    help: "check the path (relative to the source file), or install the package that provides the functions",
  };
}

function firstSentence(message: string): string {
  const line = (message.split("\n")[0] ?? message).replace(/\.$/, "");
  return line.length > 100 ? `${line.slice(0, 97)}…` : line;
}

/**
 * FSM0509: the definition references a function the existing functions module does not export;
 * `fsmc build` appends a throwing stub for it. Often a typo: close unused exports are suggested.
 */
export function appendedStub(module: string, name: string, span: Span, unusedExports: readonly string[]): Diagnostic {
  const close = closestNames(name, unusedExports);
  return {
    code: "FSM0509",
    severity: "warning",
    message: `\`${module}\` does not export \`${name}\`; \`fsmc build\` appends a stub that throws`,
    labels: [{ span, primary: true, message: `\`${name}\` is used here` }],
    notes: close.length > 0 ? [`the module exports ${close.map((c) => `\`${c}\``).join(", ")}, which the definition does not use`] : [],
    help: close.length > 0 ? `did you mean \`${close[0]}\`? otherwise write \`${name}\` in \`${module}\`` : `write \`${name}\` in \`${module}\``,
  };
}

/** FSM0510: inline code reaches a resource role that the state (or arc) of its slot does not bind. */
export function unboundResourceRole(role: string, where: string, available: readonly string[], span: Span, access: string): Diagnostic {
  const uses = available.length === 0 ? "it uses none" : `it uses: ${available.map((r) => `\`${r}\``).join(", ")}`;
  return {
    code: "FSM0510",
    severity: "error",
    message: `resource role \`${role}\` is not available in ${where} (${uses})`,
    labels: [{ span, primary: true, message: `${access} \`${role}\`` }],
    notes: [
      "a function sees the roles its state binds (with `uses`, YAML `resources`), those inherited from the states that pushed into its network, and, on an arc, the arc's own",
    ],
    help: available.length === 0 ? `add \`uses ${role}\` to ${where} (YAML: \`resources: [${role}]\`)` : `use one of the roles above, or add \`${role}\` to the resources of ${where}`,
  };
}

/** FSM0511: a custom resource's `module` (or `export`) that the generated code cannot import. */
export function badProviderModule(resource: string, span: Span, reason: string): Diagnostic {
  return {
    code: "FSM0511",
    severity: "error",
    message: `cannot import the provider of resource \`${resource}\``,
    labels: [{ span, primary: true }],
    notes: [reason],
    help: "give `module` as a path relative to the source file (e.g. `./cache.provider.ts`) or a package name, and `export` as `default` or the class's exported name",
  };
}

/** FSM0512: the module of a custom resource's provider does not exist. */
export function providerModuleMissing(resource: string, module: string, path: string | undefined, span: Span, tsMessage: string): Diagnostic {
  return {
    code: "FSM0512",
    severity: "error",
    message: `provider module \`${module}\` of resource \`${resource}\` not found`,
    labels: [{ span, primary: true, message: path !== undefined ? `no file \`${path}\`` : "no such package" }],
    notes: [...(path !== undefined ? [`the generated module imports it from \`${path}\``] : []), ...(tsMessage === "" ? [] : [tsMessage])],
    help: "check the path (relative to the source file), or create the module exporting a class that implements `ResourceProvider`",
  };
}

/** FSM0513: a custom resource's provider export is missing or is not a `ResourceProvider` class. */
export function badProviderClass(resource: string, module: string, exportName: string, span: Span, tsMessage: string): Diagnostic {
  return {
    code: "FSM0513",
    severity: "error",
    message: `export \`${exportName}\` of \`${module}\` is not a resource provider class (resource \`${resource}\`)`,
    labels: [{ span, primary: true, message: "the provider is named here" }],
    notes: [tsMessage],
    help: "export a class constructed with `(config, name)` that implements `ResourceProvider` (`kind`, `sync`, `acquire`, `release`) under that name",
  };
}
