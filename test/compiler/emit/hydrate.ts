/**
 * Emit fixtures are written as compact IR (`input.ir.json`): spans, ids, `kind`s and default
 * fields may be left out and are filled in here, so a fixture shows only what matters to the
 * emitter. Function references may be shorthand: `"isValid"` (registered), `{ "registered":
 * "f", "async": true }`, `{ "builtin": "transformers.x", "params": {…} }`, `{ "inline": "code",
 * "language": "js", "form": "body" }`. Arc targets are names (`"target": "done"`, push arcs
 * `"network": "scoring"`, `"entry"`, `"returns"`).
 */
import type {
  Arc,
  Field,
  FunctionRef,
  JsonObject,
  Machine,
  Network,
  NetworkId,
  RecordType,
  ResourceDecl,
  ResourceUse,
  State,
  StateId,
  TypeSchema,
} from "../../../compiler/ir/index.js";
import type { Span } from "../../../compiler/source/index.js";

type Loose = Record<string, unknown>;

const obj = (v: unknown): Loose => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Loose) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown, fallback = ""): string => (typeof v === "string" ? v : fallback);

export function hydrateMachine(input: unknown): Machine {
  const m = obj(input);
  const file = str(m["sourceFile"], "fixture.fsm");
  const at = (v: unknown): Span => {
    const s = obj(v);
    return { file, start: typeof s["start"] === "number" ? s["start"] : 0, end: typeof s["end"] === "number" ? s["end"] : 0 };
  };
  const spanOf = (o: Loose, key = "span"): Span => at(o[key]);

  const schema = (v: unknown): TypeSchema => {
    if (typeof v === "string") {
      switch (v) {
        case "string":
          return { kind: "StringType", span: at(undefined) };
        case "number":
          return { kind: "NumberType", integer: false, span: at(undefined) };
        case "integer":
          return { kind: "NumberType", integer: true, span: at(undefined) };
        case "boolean":
          return { kind: "BooleanType", span: at(undefined) };
        case "null":
          return { kind: "NullType", span: at(undefined) };
        case "any":
          return { kind: "AnyType", span: at(undefined) };
        default:
          return { kind: "RecordRef", name: v, span: at(undefined) };
      }
    }
    const s = obj(v);
    const kind = str(s["kind"]);
    const span = spanOf(s);
    switch (kind) {
      case "ObjectType":
        return { kind, fields: arr(s["fields"]).map(field), additional: s["additional"] === true, span };
      case "ArrayType":
        return { ...(s as object), kind, items: schema(s["items"]), span } as TypeSchema;
      case "UnionType":
        return { kind, members: arr(s["members"]).map(schema), span };
      default:
        return { ...(s as object), span } as TypeSchema;
    }
  };
  const field = (v: unknown): Field => {
    const f = obj(v);
    return {
      kind: "Field",
      name: str(f["name"]),
      nameSpan: spanOf(f, "nameSpan"),
      optional: f["optional"] === true,
      type: schema(f["type"]),
      ...(typeof f["description"] === "string" ? { description: f["description"] } : {}),
      span: spanOf(f),
    };
  };
  const record = (v: unknown): RecordType => {
    const r = obj(v);
    return {
      kind: "RecordType",
      name: str(r["name"]),
      nameSpan: spanOf(r, "nameSpan"),
      span: spanOf(r),
      schema: schema(r["schema"] ?? { kind: "ObjectType", fields: r["fields"], additional: r["additional"] }),
    };
  };
  const resourceUse = (v: unknown): ResourceUse => {
    if (typeof v === "string") return { kind: "ResourceUse", role: v, name: v, span: at(undefined) };
    const r = obj(v);
    return { kind: "ResourceUse", role: str(r["role"], str(r["name"])), name: str(r["name"]), span: spanOf(r) };
  };
  const fnRef = (v: unknown, id: string): FunctionRef => {
    if (typeof v === "string") return { kind: "RegisteredRef", name: v, isAsync: false, span: at(undefined) };
    const f = obj(v);
    const params = f["params"] !== undefined ? { params: obj(f["params"]) as JsonObject } : {};
    if (typeof f["builtin"] === "string") return { kind: "BuiltinRef", name: f["builtin"], ...params, span: spanOf(f) };
    if (typeof f["inline"] === "string") {
      const code = f["inline"];
      return {
        kind: "InlineCode",
        id,
        language: f["language"] === "js" ? "js" : "ts",
        form: f["form"] === "body" ? "body" : "expression",
        code,
        isAsync: /\bawait\b/.test(code),
        span: spanOf(f),
        codeSpan: f["codeSpan"] !== undefined ? spanOf(f, "codeSpan") : { file, start: 0, end: code.length },
      };
    }
    return { kind: "RegisteredRef", name: str(f["registered"]), ...params, isAsync: f["async"] === true, span: spanOf(f) };
  };

  const networks: Network[] = arr(m["networks"]).map((nv) => {
    const n = obj(nv);
    const netName = str(n["name"]);
    const states: State[] = arr(n["states"]).map((sv) => {
      const s = obj(sv);
      const name = str(s["name"]);
      const id = `${netName}.${name}` as StateId;
      const refs = (key: string, slot: string): FunctionRef[] => arr(s[key]).map((f, i) => fnRef(f, `${id}.${slot}.${i}`));
      const arcs: Arc[] = arr(s["arcs"]).map((av, i) => {
        const a = obj(av);
        const arcIdText = `${id}#${i}`;
        const common = {
          id: arcIdText,
          ...(typeof a["name"] === "string" ? { name: a["name"] } : {}),
          priority: typeof a["priority"] === "number" ? a["priority"] : 0,
          ...(a["condition"] !== undefined ? { condition: fnRef(a["condition"], `${arcIdText}.condition`) } : {}),
          transforms: arr(a["transforms"]).map((f, j) => fnRef(f, `${arcIdText}.transform.${j}`)),
          resources: arr(a["resources"]).map(resourceUse),
          metadata: obj(a["metadata"]) as JsonObject,
          span: spanOf(a),
        };
        if (typeof a["network"] === "string") {
          const net = a["network"];
          const entry = typeof a["entry"] === "string" ? a["entry"] : undefined;
          const ret = typeof a["returns"] === "string" ? a["returns"] : undefined;
          const mapping = (v: unknown) =>
            Object.entries(obj(v)).map(([from, to]) => ({ kind: "FieldMapping" as const, from, to: str(to), span: at(undefined) }));
          return {
            ...common,
            kind: "PushArc",
            targetNetwork: net as NetworkId,
            targetNetworkName: net,
            ...(entry !== undefined ? { entryState: `${net}.${entry}` as StateId, entryStateName: entry } : {}),
            targetSpan: at(undefined),
            ...(ret !== undefined ? { returnState: `${netName}.${ret}` as StateId, returnStateName: ret, returnSpan: at(undefined) } : {}),
            isolation: a["isolation"] === "reference" || a["isolation"] === "serialize" ? a["isolation"] : "copy",
            dataMapping: mapping(a["dataMapping"]),
            resultMapping: mapping(a["resultMapping"]),
          };
        }
        const target = str(a["target"]);
        return { ...common, kind: "Arc", target: `${netName}.${target}` as StateId, targetName: target, targetSpan: at(undefined) };
      });
      const recordName = typeof s["record"] === "string" ? s["record"] : undefined;
      const onError = typeof s["onError"] === "string" ? s["onError"] : undefined;
      return {
        kind: "State",
        id,
        name,
        nameSpan: spanOf(s, "nameSpan"),
        span: spanOf(s),
        isStart: s["isStart"] === true,
        isFinal: s["isFinal"] === true,
        ...(recordName !== undefined ? { recordType: { name: recordName, span: at(undefined) } } : {}),
        preValidators: refs("preValidators", "preValidator"),
        transforms: refs("transforms", "transform"),
        validators: refs("validators", "validator"),
        arcs,
        ...(onError !== undefined ? { onError: { target: `${netName}.${onError}` as StateId, targetName: onError, span: at(undefined) } } : {}),
        runOnFailure: s["runOnFailure"] === true,
        emitOutput: s["emitOutput"] !== false,
        ...(s["dataMode"] === "copy" || s["dataMode"] === "reference" || s["dataMode"] === "direct" ? { dataMode: s["dataMode"] } : {}),
        resources: arr(s["resources"]).map(resourceUse),
        metadata: obj(s["metadata"]) as JsonObject,
        ...(typeof s["doc"] === "string" ? { doc: s["doc"] } : {}),
      };
    });
    return {
      kind: "Network",
      id: netName as NetworkId,
      name: netName,
      nameSpan: spanOf(n, "nameSpan"),
      span: spanOf(n),
      states,
      resources: arr(n["resources"]).map(resourceUse),
      metadata: obj(n["metadata"]) as JsonObject,
    };
  });
  const settings = obj(m["settings"]);
  const retry = obj(settings["retry"]);
  const resources: ResourceDecl[] = arr(m["resources"]).map((rv) => {
    const r = obj(rv);
    return {
      kind: "ResourceDecl",
      name: str(r["name"]),
      nameSpan: spanOf(r, "nameSpan"),
      type: str(r["type"]),
      typeSpan: at(undefined),
      config: obj(r["config"]) as JsonObject,
      span: spanOf(r),
    };
  });
  const fm = m["functionsModule"];
  const num = (o: Loose, k: string, d: number): number => (typeof o[k] === "number" ? (o[k] as number) : d);
  return {
    kind: "Machine",
    irVersion: 1,
    name: str(m["name"]),
    nameSpan: spanOf(m, "nameSpan"),
    span: spanOf(m),
    sourceFile: file,
    ...(typeof m["version"] === "string" ? { version: m["version"] } : {}),
    ...(typeof m["description"] === "string" ? { description: m["description"] } : {}),
    ...(typeof fm === "string" ? { functionsModule: { path: fm, span: at(undefined) } } : {}),
    mainNetwork: str(m["mainNetwork"], networks[0]?.name ?? "main") as NetworkId,
    mainNetworkSpan: at(undefined),
    settings: {
      kind: "Settings",
      dataMode: settings["dataMode"] === "reference" || settings["dataMode"] === "direct" ? settings["dataMode"] : "copy",
      maxTransitions: num(settings, "maxTransitions", 1000),
      ...(typeof settings["timeoutSeconds"] === "number" ? { timeoutSeconds: settings["timeoutSeconds"] } : {}),
      strategy:
        settings["strategy"] === "breadth_first" || settings["strategy"] === "resource_optimized" || settings["strategy"] === "stream_optimized"
          ? settings["strategy"]
          : "depth_first",
      retry: {
        kind: "RetryPolicy",
        maxRetries: num(retry, "maxRetries", 3),
        initialDelayMs: num(retry, "initialDelayMs", 100),
        backoffFactor: num(retry, "backoffFactor", 2),
        maxDelayMs: num(retry, "maxDelayMs", 10_000),
      },
      span: at(undefined),
    },
    records: arr(m["records"]).map(record),
    resources,
    networks,
    metadata: obj(m["metadata"]) as JsonObject,
  };
}
