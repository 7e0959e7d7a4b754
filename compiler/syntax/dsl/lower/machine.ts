/** `fsm` blocks → `Machine`: header, settings, resources, records and networks. */
import type { CstNode } from "chevrotain";
import type {
  DataMode,
  JsonObject,
  Machine,
  Network,
  RecordType,
  ResourceDecl,
  RetryPolicy,
  Settings,
  Strategy,
  TransactionMode,
  TransactionRollback,
  TransactionSetting,
} from "../../../ir/index.js";
import { IR_VERSION, networkId } from "../../../ir/index.js";
import { joinSpans, type Span } from "../../../source/index.js";
import { noNetwork } from "../../../diagnostics/factories/dsl.js";
import { firstNode, firstToken, nodes } from "../cst.js";
import { Duration } from "../tokens.js";
import { OnceTracker, spanOfNode, spanOfToken, type Lowering } from "./context.js";
import { dataModeOf, lowerMetadata, lowerNetwork } from "./network.js";
import { lowerRecord } from "./record-types.js";
import { configSpansOf } from "./config-spans.js";
import { checkedNumber, COUNT, FINITE, lowerObject, POSITIVE_INTEGER, stringValue, type NumberRule } from "./values.js";

/** Defaults of a machine's settings (SEMANTICS §1.7, decision E11). */
const DEFAULTS = { dataMode: "copy", maxTransitions: 1000, strategy: "depth_first" } as const;
const DEFAULT_RETRY: RetryPolicy = { kind: "RetryPolicy", maxRetries: 3, initialDelayMs: 100, backoffFactor: 2, maxDelayMs: 10_000 };

const STRATEGIES: ReadonlyMap<string, Strategy> = new Map<string, Strategy>([
  ["depth_first", "depth_first"],
  ["breadth_first", "breadth_first"],
  ["resource_optimized", "resource_optimized"],
  ["stream_optimized", "stream_optimized"],
]);

const POSITIVE: NumberRule = { what: "timeout", requirement: "a number of seconds > 0", test: (n) => Number.isFinite(n) && n > 0 };
const BACKOFF: NumberRule = { what: "backoff factor", requirement: "a number ≥ 1", test: (n) => Number.isFinite(n) && n >= 1 };

/** Lowers an `fsmDecl` node; undefined (after a diagnostic) when it has no name or no network. */
export function lowerMachine(lw: Lowering, node: CstNode): Machine | undefined {
  const name = firstToken(node, "name");
  if (name === undefined) return undefined;
  const nameSpan = spanOfToken(lw, name);
  const doc = lw.docs.takeBefore(node);
  const version = firstToken(node, "version");
  const once = new OnceTracker(lw);

  let description: string | undefined;
  let functionsModule: Machine["functionsModule"];
  let main: { name: string; span: Span } | undefined;
  let metadata: JsonObject = {};
  let dataMode: DataMode = DEFAULTS.dataMode;
  let maxTransitions: number = DEFAULTS.maxTransitions;
  let timeoutSeconds: number | undefined;
  let strategy: Strategy = DEFAULTS.strategy;
  let retry = DEFAULT_RETRY;
  let transaction: TransactionSetting | undefined;
  let settingsSpan: Span | undefined;
  const records: RecordType[] = [];
  const resources: ResourceDecl[] = [];
  const networks: Network[] = [];

  for (const item of nodes(node, "machineItem")) {
    const setting = (key: string): CstNode | undefined => {
      const n = firstNode(item, key);
      if (n === undefined) return undefined;
      settingsSpan = settingsSpan === undefined ? spanOfNode(lw, n) : joinSpans(settingsSpan, spanOfNode(lw, n));
      return n;
    };
    const first = (n: CstNode, key: string, what: string) => once.first(key, what, spanOfNode(lw, n));

    const network = firstNode(item, "networkDecl");
    const record = firstNode(item, "recordDecl");
    const resource = firstNode(item, "resourceDecl");
    const functions = firstNode(item, "functionsSetting");
    const describe = firstNode(item, "descriptionSetting");
    const mainSetting = firstNode(item, "mainNetworkSetting");
    const meta = firstNode(item, "metadataClause");
    if (network !== undefined) {
      const n = lowerNetwork(lw, network);
      if (n !== undefined) networks.push(n);
    } else if (record !== undefined) {
      const r = lowerRecord(lw, record);
      if (r !== undefined) records.push(r);
    } else if (resource !== undefined) {
      const r = lowerResource(lw, resource);
      if (r !== undefined) resources.push(r);
    } else if (functions !== undefined) {
      const path = firstToken(functions, "path");
      if (path !== undefined && first(functions, "functions", "`functions from`")) {
        functionsModule = { path: stringValue(path), span: spanOfToken(lw, path) };
      }
    } else if (describe !== undefined) {
      const value = firstToken(describe, "value");
      if (value !== undefined && first(describe, "description", "`description`")) description = stringValue(value);
    } else if (mainSetting !== undefined) {
      const value = firstToken(mainSetting, "name");
      if (value !== undefined && first(mainSetting, "main", "`main network`")) main = { name: value.image, span: spanOfToken(lw, value) };
    } else if (meta !== undefined) {
      if (first(meta, "metadata", "`metadata` of this machine")) metadata = lowerMetadata(lw, meta);
    } else {
      const mode = setting("dataModeClause");
      const max = setting("maxTransitionsSetting");
      const timeout = setting("timeoutSetting");
      const strategyNode = setting("strategySetting");
      const retryNode = setting("retrySetting");
      const transactionNode = setting("transactionSetting");
      if (mode !== undefined) {
        const m = dataModeOf(mode);
        if (m !== undefined && first(mode, "dataMode", "`data mode`")) dataMode = m;
      } else if (max !== undefined) {
        const value = firstToken(max, "value");
        const n = value === undefined ? undefined : checkedNumber(lw, value, POSITIVE_INTEGER("transition limit"));
        if (n !== undefined && first(max, "maxTransitions", "`max transitions`")) maxTransitions = n;
      } else if (timeout !== undefined) {
        const value = firstToken(timeout, "value");
        const n = value === undefined ? undefined : checkedNumber(lw, value, POSITIVE);
        if (value !== undefined && n !== undefined && first(timeout, "timeout", "`timeout`")) {
          timeoutSeconds = value.tokenType === Duration ? n / 1000 : n;
        }
      } else if (strategyNode !== undefined) {
        const value = firstToken(strategyNode, "value");
        const s = value === undefined ? undefined : STRATEGIES.get(value.image);
        if (s !== undefined && first(strategyNode, "strategy", "`strategy`")) strategy = s;
      } else if (retryNode !== undefined) {
        const r = lowerRetry(lw, retryNode);
        if (first(retryNode, "retry", "`retry`")) retry = r;
      } else if (transactionNode !== undefined) {
        const t = lowerTransaction(lw, transactionNode);
        if (t !== undefined && first(transactionNode, "transaction", "`transaction`")) transaction = t;
      }
    }
  }

  const mainNetwork = main ?? (networks[0] ? { name: networks[0].name, span: networks[0].nameSpan } : undefined);
  if (mainNetwork === undefined) {
    lw.diagnostics.push(noNetwork(name.image, nameSpan));
    return undefined;
  }
  const settings: Settings = {
    kind: "Settings",
    dataMode,
    maxTransitions,
    ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
    strategy,
    retry,
    ...(transaction !== undefined ? { transaction } : {}),
    span: settingsSpan ?? nameSpan,
  };
  return {
    kind: "Machine",
    irVersion: IR_VERSION,
    name: name.image,
    nameSpan,
    span: spanOfNode(lw, node),
    sourceFile: lw.path,
    ...(version !== undefined ? { version: stringValue(version) } : {}),
    ...(description !== undefined ? { description } : {}),
    ...(functionsModule !== undefined ? { functionsModule } : {}),
    mainNetwork: networkId(mainNetwork.name),
    mainNetworkSpan: mainNetwork.span,
    settings,
    records,
    resources,
    networks,
    metadata,
    ...(doc !== undefined ? { doc } : {}),
  };
}

function lowerResource(lw: Lowering, node: CstNode): ResourceDecl | undefined {
  const name = firstToken(node, "name");
  const type = firstToken(node, "type");
  if (name === undefined || type === undefined) return undefined;
  const configNode = firstNode(node, "config");
  const doc = lw.docs.takeBefore(node);
  const config = configNode === undefined ? {} : lowerResourceConfig(lw, configNode);
  const configSpans = configNode === undefined ? {} : configSpansOf(lw, configNode, config);
  return {
    kind: "ResourceDecl",
    name: name.image,
    nameSpan: spanOfToken(lw, name),
    type: type.image,
    typeSpan: spanOfToken(lw, type),
    config,
    ...(Object.keys(configSpans).length > 0 ? { configSpans } : {}),
    span: spanOfNode(lw, node),
    ...(doc !== undefined ? { doc } : {}),
  };
}

/** `retry { max 3, delay 100ms, backoff 2, max delay 10s }`; unset items keep their defaults. */
function lowerRetry(lw: Lowering, node: CstNode): RetryPolicy {
  const once = new OnceTracker(lw);
  let { maxRetries, initialDelayMs, backoffFactor, maxDelayMs } = DEFAULT_RETRY;
  for (const item of nodes(node, "retryItem")) {
    const at = spanOfNode(lw, item);
    const retries = firstToken(item, "maxRetries");
    const delay = firstToken(item, "delay");
    const backoff = firstToken(item, "backoff");
    const maxDelay = firstToken(item, "maxDelay");
    if (retries !== undefined) {
      const n = checkedNumber(lw, retries, COUNT("retry count"));
      if (n !== undefined && once.first("max", "`max`", at)) maxRetries = n;
    } else if (delay !== undefined) {
      if (once.first("delay", "`delay`", at)) initialDelayMs = checkedNumber(lw, delay, FINITE_MS) ?? initialDelayMs;
    } else if (backoff !== undefined) {
      const n = checkedNumber(lw, backoff, BACKOFF);
      if (n !== undefined && once.first("backoff", "`backoff`", at)) backoffFactor = n;
    } else if (maxDelay !== undefined) {
      if (once.first("maxDelay", "`max delay`", at)) maxDelayMs = checkedNumber(lw, maxDelay, FINITE_MS) ?? maxDelayMs;
    }
  }
  return { kind: "RetryPolicy", maxRetries, initialDelayMs, backoffFactor, maxDelayMs };
}

const TRANSACTION_MODES: ReadonlyMap<string, TransactionMode> = new Map<string, TransactionMode>([
  ["none", "none"],
  ["single", "single"],
  ["batch", "batch"],
  ["manual", "manual"],
]);
const ROLLBACKS: ReadonlyMap<string, TransactionRollback> = new Map<string, TransactionRollback>([
  ["record", "record"],
  ["batch", "batch"],
]);

/**
 * `transaction batch size 500 rollback batch`; undefined when recovery left no mode. The size
 * is kept as written (only a non-finite one is refused here): whether it is a whole number ≥ 1,
 * and whether an option fits the mode, is the check's (FSM0223, FSM0226), as in YAML.
 */
function lowerTransaction(lw: Lowering, node: CstNode): TransactionSetting | undefined {
  const modeToken = firstToken(node, "mode");
  const mode = modeToken === undefined ? undefined : TRANSACTION_MODES.get(modeToken.image);
  if (modeToken === undefined || mode === undefined) return undefined;
  const once = new OnceTracker(lw);
  let batchSize: TransactionSetting["batchSize"];
  let rollbackOnError: TransactionSetting["rollbackOnError"];
  for (const option of nodes(node, "transactionOption")) {
    const at = spanOfNode(lw, option);
    const size = firstToken(option, "size");
    const rollback = firstToken(option, "rollback");
    if (size !== undefined) {
      const n = checkedNumber(lw, size, FINITE("batch size"));
      if (n !== undefined && once.first("size", "`size`", at)) batchSize = { value: n, span: at };
    } else if (rollback !== undefined) {
      const value = ROLLBACKS.get(rollback.image);
      if (value !== undefined && once.first("rollback", "`rollback`", at)) rollbackOnError = { value, span: at };
    }
  }
  return {
    kind: "TransactionSetting",
    mode,
    modeSpan: spanOfToken(lw, modeToken),
    ...(batchSize !== undefined ? { batchSize } : {}),
    ...(rollbackOnError !== undefined ? { rollbackOnError } : {}),
    span: spanOfNode(lw, node),
  };
}

const FINITE_MS: NumberRule = { what: "delay", requirement: "a finite duration", test: Number.isFinite };

/** A resource config keeps `env(…)` as `${VAR}` references, resolved when the resource opens (decision E10). */
function lowerResourceConfig(lw: Lowering, node: CstNode): JsonObject {
  lw.keepEnvReferences = true;
  try {
    return lowerObject(lw, node);
  } finally {
    lw.keepEnvReferences = false;
  }
}
