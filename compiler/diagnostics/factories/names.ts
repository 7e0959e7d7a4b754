/**
 * Factories for FSM0200–FSM0299 (names: duplicates and unknown references; resource
 * declarations and the `transaction` setting that needs them). Each factory owns the wording, labels and help of one code; `check` calls them
 * in one line.
 */
import type { Span } from "../../source/index.js";
import { didYouMean } from "../did-you-mean.js";
import type { Diagnostic, Label } from "../types.js";

const q = (name: string): string => `\`${name}\``;

/** Labels for a name defined several times: the second place is primary, the first is "first defined here". */
function duplicateLabels(places: readonly Span[]): Label[] {
  const [first, second, ...rest] = places;
  const labels: Label[] = [];
  if (second) labels.push({ span: second, primary: true, message: "defined again here" });
  if (first) labels.push({ span: first, primary: second === undefined, message: "first defined here" });
  for (const again of rest) labels.push({ span: again, primary: false, message: "defined again here" });
  return labels;
}

function timesText(count: number): string {
  return count === 2 ? "twice" : `${count} times`;
}

/** FSM0201: two machines of one file share a name. */
export function duplicateMachine(name: string, file: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0201",
    severity: "error",
    message: `machine ${q(name)} is defined ${timesText(places.length)} in ${q(file)}`,
    labels: duplicateLabels(places),
    notes: ["each machine of a file becomes its own generated module, named after the machine"],
    help: "rename one of the machines",
  };
}

/** FSM0202: two networks of one machine share a name. */
export function duplicateNetwork(name: string, machine: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0202",
    severity: "error",
    message: `network ${q(name)} is defined ${timesText(places.length)} in machine ${q(machine)}`,
    labels: duplicateLabels(places),
    notes: [],
    help: "rename one of the networks (push arcs and `main` refer to networks by name)",
  };
}

/** FSM0203: two states of one network share a name. */
export function duplicateState(name: string, network: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0203",
    severity: "error",
    message: `state ${q(name)} is defined ${timesText(places.length)} in network ${q(network)}`,
    labels: duplicateLabels(places),
    notes: ["state names are unique inside a network; the same name in another network is allowed"],
    help: "rename one of the states, or merge them into one",
  };
}

/** FSM0204: an arc targets a state its network does not have. */
export function unknownTarget(name: string, span: Span, network: string, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0204",
    severity: "error",
    message: `unknown state ${q(name)}`,
    labels: [{ span, primary: true, message: `no state ${q(name)} in network ${q(network)}` }],
    notes: ["an arc leads to a state of its own network; use a push arc to enter another network"],
    help: didYouMean(name, candidates) ?? `add a state ${q(name)} to network ${q(network)}, or target an existing state`,
  };
}

/** FSM0205: two record types share a name. */
export function duplicateRecordType(name: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0205",
    severity: "error",
    message: `record type ${q(name)} is defined ${timesText(places.length)}`,
    labels: duplicateLabels(places),
    notes: [],
    help: "rename one of the record types, or merge their fields into one",
  };
}

/** FSM0206: two resources share a name. */
export function duplicateResource(name: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0206",
    severity: "error",
    message: `resource ${q(name)} is declared ${timesText(places.length)}`,
    labels: duplicateLabels(places),
    notes: ["states and arcs refer to resources by name, so a name must mean one resource"],
    help: "rename one of the resources",
  };
}

/** FSM0207: a push arc names a network the machine does not have. */
export function unknownNetwork(name: string, span: Span, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0207",
    severity: "error",
    message: `unknown network ${q(name)}`,
    labels: [{ span, primary: true, message: "pushed here" }],
    notes: [],
    help: didYouMean(name, candidates) ?? `add a network ${q(name)}, or push to an existing network`,
  };
}

/** FSM0208: a push arc's `net:state` names a state the target network does not have. */
export function unknownEntryState(network: string, name: string, span: Span, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0208",
    severity: "error",
    message: `unknown state ${q(name)} in network ${q(network)}`,
    labels: [{ span, primary: true, message: `${q(network)} has no state ${q(name)} to enter` }],
    notes: ["`net:state` enters the named state of `net` instead of its start state"],
    help: didYouMean(name, candidates) ?? `push to ${q(network)} alone to enter its start state, or name an existing state`,
  };
}

/** FSM0209: a push arc's return state is not a state of the pushing network. */
export function unknownReturnState(name: string, span: Span, network: string, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0209",
    severity: "error",
    message: `unknown return state ${q(name)}`,
    labels: [{ span, primary: true, message: `no state ${q(name)} in network ${q(network)}` }],
    notes: ["the return state belongs to the pushing network; it is entered when the subflow finishes"],
    help: didYouMean(name, candidates) ?? `add a state ${q(name)} to network ${q(network)}, or return to an existing state`,
  };
}

/** FSM0210: the main network names no network of the machine. */
export function unknownMainNetwork(name: string, span: Span, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0210",
    severity: "error",
    message: `unknown main network ${q(name)}`,
    labels: [{ span, primary: true, message: "no network of this name" }],
    notes: ["a run starts at the start state of the main network"],
    help: didYouMean(name, candidates) ?? "name one of the machine's networks as the main network",
  };
}

/** FSM0211: a state or a field names a record type the machine does not define. */
export function unknownRecordType(name: string, span: Span, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0211",
    severity: "error",
    message: `unknown record type ${q(name)}`,
    labels: [{ span, primary: true, message: "no record type of this name" }],
    notes: [],
    help: didYouMean(name, candidates) ?? `define \`record ${name} { … }\`, or use an existing record type`,
  };
}

/** FSM0212: a state, arc or network uses a resource the machine does not declare. */
export function unknownResource(name: string, span: Span, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0212",
    severity: "error",
    message: `unknown resource ${q(name)}`,
    labels: [{ span, primary: true, message: "not declared by this machine" }],
    notes: [],
    help: didYouMean(name, candidates) ?? `declare a resource ${q(name)} at the top of the machine`,
  };
}

/** FSM0213: an `on error` route targets a state its network does not have. */
export function unknownErrorTarget(name: string, span: Span, network: string, candidates: readonly string[]): Diagnostic {
  return {
    code: "FSM0213",
    severity: "error",
    message: `unknown error target ${q(name)}`,
    labels: [{ span, primary: true, message: `no state ${q(name)} in network ${q(network)}` }],
    notes: ["a failing state routes its record to a state of its own network"],
    help: didYouMean(name, candidates) ?? `add a state ${q(name)} to network ${q(network)}, or route to an existing state`,
  };
}

/**
 * FSM0214: a builtin reference names no function of the library. The message keeps the
 * reference's exact wording (`Built-in function not found: <name>`), which users and the
 * conformance suite match on (SEMANTICS C20, decision E12).
 */
export function unknownBuiltin(name: string, span: Span, known: readonly string[]): Diagnostic {
  return {
    code: "FSM0214",
    severity: "error",
    message: `Built-in function not found: ${name}`,
    labels: [{ span, primary: true, message: "not a built-in function" }],
    notes: [`the built-in functions are ${known.map(q).join(", ")}`],
    help: builtinSuggestion(name, known) ?? "use one of the built-in functions, or a registered function of your functions module",
  };
}

/** "Did you mean" among the builtins of the same namespace (`validators.`), whose shared prefix would make every name look close. */
function builtinSuggestion(name: string, known: readonly string[]): string | undefined {
  const dot = name.indexOf(".");
  if (dot < 0) return didYouMean(name, known);
  const namespace = name.slice(0, dot + 1);
  const members = known.filter((k) => k.startsWith(namespace)).map((k) => k.slice(namespace.length));
  const hint = didYouMean(name.slice(namespace.length), members);
  return hint?.replace(/`([^`]+)`/g, (_, member: string) => `\`${namespace}${member}\``) ?? didYouMean(name, known);
}

/** FSM0215: two fields of one object type share a name. */
export function duplicateField(name: string, owner: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0215",
    severity: "error",
    message: `field ${q(name)} is defined ${timesText(places.length)} in ${owner}`,
    labels: duplicateLabels(places),
    notes: [],
    help: "remove or rename one of the fields",
  };
}

/** FSM0216: one state, arc or network binds two resources to the same role. */
export function duplicateRole(role: string, owner: string, places: readonly Span[]): Diagnostic {
  return {
    code: "FSM0216",
    severity: "error",
    message: `role ${q(role)} is bound ${timesText(places.length)} in ${owner}`,
    labels: duplicateLabels(places),
    notes: ["functions reach resources by role (`ctx.resources.<role>`), so a role names one resource"],
    help: "bind each role once, or rename one of the roles",
  };
}

/** Spellings of a resource `type` from other tools, with the kind fsmc calls them. */
const KIND_SPELLINGS: Readonly<Record<string, string>> = {
  async_database: "database",
  postgresql: "postgres",
  pg: "postgres",
  sqlite3: "sqlite",
  fs: "filesystem",
  file: "filesystem",
  rest: "http",
  api: "http",
  vectorstore: "vector",
};

/** FSM0217: a resource declares a `type` that names no resource kind. */
export function unknownResourceKind(resource: string, type: string, span: Span, kinds: readonly string[]): Diagnostic {
  const spelled = KIND_SPELLINGS[type];
  return {
    code: "FSM0217",
    severity: "error",
    message: `unknown resource kind ${q(type)}`,
    labels: [{ span, primary: true, message: `the kind of resource ${q(resource)}` }],
    notes: [`resource kinds: ${kinds.map(q).join(", ")}`],
    help:
      spelled !== undefined
        ? `fsmc calls this kind ${q(spelled)}: write ${q(spelled)}`
        : (didYouMean(type, kinds) ?? "pick one of the kinds above; a provider of your own is a `custom` resource with `module`"),
  };
}

/** FSM0218: a resource configuration has a key its kind does not know. */
export function unknownResourceKey(resource: string, kind: string, key: string, span: Span, known: readonly string[]): Diagnostic {
  return {
    code: "FSM0218",
    severity: "error",
    message: `resource ${q(resource)} (${kind}) has no configuration key ${q(key)}`,
    labels: [{ span, primary: true, message: "unknown key" }],
    notes: [`known keys here: ${known.map(q).join(", ")}`, "a key that is not understood is an error, never silently ignored"],
    help: didYouMean(key.split(".").pop() ?? key, known) ?? "remove the key (see docs/resources.md for each kind's keys)",
  };
}

/** FSM0219: a resource configuration value has the wrong type (or shape). */
export function resourceValueType(resource: string, key: string, expected: string, found: string, span: Span, note?: string): Diagnostic {
  return {
    code: "FSM0219",
    severity: "error",
    message: `${q(key)} of resource ${q(resource)} must be ${expected}, found ${found}`,
    labels: [{ span, primary: true, message: `expected ${expected}` }],
    notes: note !== undefined ? [note] : [],
    help: `write ${expected} for ${q(key)}`,
  };
}

/** FSM0220: a resource whose declaration alone cannot open it (a required key missing, a custom one without provider module). */
export function resourceNeedsOptions(resource: string, span: Span, missing: readonly string[], custom: boolean): Diagnostic {
  return {
    code: "FSM0220",
    severity: "warning",
    message: custom
      ? `custom resource ${q(resource)} names no provider module`
      : `resource ${q(resource)} cannot open on its own: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} missing`,
    labels: [{ span, primary: true, message: custom ? "no `module` here" : `needs ${missing.join(", ")}` }],
    notes: [`the generated factory therefore requires it in its options: \`{ resources: { ${resource}: ${custom ? "new MyProvider(…)" : "{ … }"} } }\``],
    help: custom
      ? "give `module` (a path relative to this file) and `export` (default `default`) naming a class that implements `ResourceProvider`, or pass a provider when creating the machine"
      : `give ${missing.join(", ")} in the declaration (an environment reference counts: \`env("VAR")\`, \`\${VAR}\`), or pass it when creating the machine`,
  };
}

/** FSM0221: both `pool.max` and `connection_pool_size` (its dataknobs spelling) are given. */
export function poolSizeTwice(resource: string, poolMax: Span, poolSize: Span): Diagnostic {
  return {
    code: "FSM0221",
    severity: "error",
    message: `resource ${q(resource)} gives its pool size twice`,
    labels: [
      { span: poolSize, primary: true, message: "`connection_pool_size` is `pool.max`" },
      { span: poolMax, primary: false, message: "`pool.max` given here" },
    ],
    notes: ["`connection_pool_size` is the dataknobs spelling of `pool.max`"],
    help: "keep one of the two",
  };
}

/** FSM0222: `pool.min` is larger than the pool's maximum. */
export function poolMinAboveMax(resource: string, min: number, max: number, minSpan: Span, maxSpan: Span | undefined): Diagnostic {
  return {
    code: "FSM0222",
    severity: "error",
    message: `resource ${q(resource)} keeps at least ${min} handles in a pool of at most ${max}`,
    labels: [
      { span: minSpan, primary: true, message: `\`pool.min\` is ${min}` },
      ...(maxSpan !== undefined ? [{ span: maxSpan, primary: false, message: `the maximum is ${max}` }] : []),
    ],
    notes: maxSpan === undefined ? [`the pool's maximum is the default, ${max}`] : [],
    help: "lower `pool.min`, or raise the maximum (`pool.max`)",
  };
}

/** What a transaction mode other than `batch` does instead of batches (FSM0223, FSM0224). */
function modeWithoutBatches(mode: string): string {
  switch (mode) {
    case "single":
      return "mode `single` gives every record its own transaction, committed when the record succeeds and rolled back with it when it fails";
    case "manual":
      return "in mode `manual` your functions decide where transactions begin, commit and roll back (`ctx.tx`)";
    default:
      return "mode `none` opens no transactions";
  }
}

/** FSM0223: a batch size on a transaction mode other than `batch`, where nothing reads it. */
export function batchSizeWithoutBatch(mode: string, sizeSpan: Span, modeSpan: Span): Diagnostic {
  return {
    code: "FSM0223",
    severity: "error",
    message: `a batch size is set, but transaction mode ${q(mode)} has no batches`,
    labels: [
      { span: sizeSpan, primary: true, message: "the size would be ignored" },
      { span: modeSpan, primary: false, message: `mode ${q(mode)} given here` },
    ],
    notes: [modeWithoutBatches(mode)],
    help: "remove the batch size, or use mode `batch`",
  };
}

/** FSM0224: a rollback setting on a transaction mode other than `batch`, where nothing reads it. */
export function rollbackWithoutBatch(mode: string, rollbackSpan: Span, modeSpan: Span): Diagnostic {
  return {
    code: "FSM0224",
    severity: "error",
    message: `what a failed record rolls back is set, but transaction mode ${q(mode)} has no batches`,
    labels: [
      { span: rollbackSpan, primary: true, message: "the rollback setting would be ignored" },
      { span: modeSpan, primary: false, message: `mode ${q(mode)} given here` },
    ],
    notes: [modeWithoutBatches(mode)],
    help: "remove the rollback setting, or use mode `batch`",
  };
}

/** FSM0225: a transaction mode on a machine with no resource that takes part in transactions. */
export function transactionWithoutDatabase(mode: string, modeSpan: Span): Diagnostic {
  return {
    code: "FSM0225",
    severity: "warning",
    message: `transaction mode ${q(mode)} has no effect: no SQLite or Postgres resource`,
    labels: [{ span: modeSpan, primary: true, message: "no resource takes part in this transaction" }],
    notes: ["transactions are opened on the machine's `sqlite` and `postgres` resources (and `database` ones, by their backend); this machine declares none"],
    help: "remove the transaction setting, or declare the `sqlite` or `postgres` resource the records are written to",
  };
}

/** FSM0226: a batch size that is not a whole number ≥ 1. */
/** FSM0227: the `database.transaction` builtin on a machine whose transactions functions do not control. */
export function transactionBuiltinNotManual(mode: string, span: Span, modeSpan: Span | undefined): Diagnostic {
  return {
    code: "FSM0227",
    severity: "error",
    message: `\`database.transaction\` needs transaction mode \`manual\`, but this machine's is ${q(mode)}`,
    labels: [
      { span, primary: true, message: "begins, commits or rolls back the run's transaction" },
      ...(modeSpan === undefined ? [] : [{ span: modeSpan, primary: false, message: `mode ${q(mode)} given here` }]),
    ],
    notes: [
      mode === "none"
        ? "without a transaction setting the engine opens no transaction for the builtin to control"
        : `in mode ${q(mode)} the engine begins and commits the transaction itself; a function may only take savepoints`,
    ],
    help: "set `transaction manual` (.fsm) or `transaction: { mode: manual }` (YAML)",
  };
}

export function invalidBatchSize(value: number, span: Span): Diagnostic {
  return {
    code: "FSM0226",
    severity: "error",
    message: `the batch size must be a whole number ≥ 1, not ${value}`,
    labels: [{ span, primary: true, message: "set here" }],
    notes: ["in mode `batch`, processBatch commits after every this many records; the default is 100"],
    help: "use a positive whole number of records, or leave the size out for the default",
  };
}
