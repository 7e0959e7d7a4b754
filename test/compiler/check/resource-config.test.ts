/**
 * Resource declarations checked against the catalogue, through the real front ends: which
 * configurations pass, what each problem reports and where its primary label points, in the
 * DSL and in YAML. The diagnostics fixtures `resource-configs*` show the rendered text.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Diagnostic } from "../../../compiler/diagnostics/types.js";
import { compileToIr } from "../../../compiler/pipeline.js";

const host = { readFile: () => undefined, env: {}, projectRoot: "/project" };

/** The diagnostics of one resource declaration (used by one state) as `code at-text: message`. */
function dslProblems(declaration: string): string[] {
  const text = `fsm m {\n  resource r: ${declaration}\n  network main { start state a uses r { -> b } end state b }\n}\n`;
  return shown(text, compileToIr([{ path: "m.fsm", text }], host).log.sorted());
}

function yamlProblems(resource: string): string[] {
  const text = `name: m\nresources:\n  - ${resource}\nstates: [{name: a, is_start: true, resources: [r]}, {name: b, is_end: true}]\narcs: [{from: a, to: b}]\n`;
  return shown(text, compileToIr([{ path: "m.yaml", text }], host).log.sorted());
}

function shown(text: string, diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => {
    const at = d.labels.find((l) => l.primary)?.span;
    return `${d.code} ${at ? text.slice(at.start, at.end) : "?"}: ${d.message}`;
  });
}

describe("resource configurations: accepted", () => {
  it.each(["input.fsm", "input.yaml"])("every kind of the IR fixture resources-kinds (%s) checks clean", (file) => {
    const text = readFileSync(new URL(`../../fixtures/ir/resources-kinds/${file}`, import.meta.url), "utf8");
    const { log, report } = compileToIr([{ path: file, text }], host);
    expect(shown(text, log.sorted())).toEqual([]);
    // Only sqlite, filesystem and memory/sqlite vector stores answer synchronously.
    expect(report?.machines[0]?.isSync).toBe(false);
  });

  it.each([
    'sqlite { path: "a.db", wal: false, readonly: true, busy_timeout: 2.5, pragmas: { cache_size: -2000, journal_mode: "wal" } }',
    "sqlite",
    'database { backend: "postgres", connection_string: env("PG_URL"), statement_timeout: 30, ssl: true }',
    'postgres { host: "db", port: 5432, user: "app", password: env("PG_PASSWORD"), database: "shop", application_name: "fsmc" }',
    'filesystem { base_path: "out", encoding: "latin1", temp_dir: "tmp" }',
    'http { base_url: env("API"), headers: { Accept: "application/json" }, auth: { type: "basic", username: "u", password: env("PW") }, timeout: 30, max_retries: 0, retry_delay: 0.5, max_retry_delay: 30, rate_limit: { requests_per_minute: 60, burst: 5 }, circuit_breaker: { failure_threshold: 5, reset_timeout: 60 } }',
    'http { base_url: "http://127.0.0.1:1", auth: { type: "api_key", key_value: env("KEY") } }',
    'llm { base_url: env("LLM_URL"), model: "small", api_key: env("KEY"), embedding_model: "e", temperature: 0.2, max_tokens: 100, timeout: 60, max_retries: 3, retry_delay: 1, requests_per_minute: 60, tokens_per_minute: 1000 }',
    'vector { dimensions: 3, backend: "memory", metric: "l2" }',
    'vector_store { dimensions: env("DIMS"), backend: "postgres", connection_string: env("PG_URL") }',
    'custom { module: "./p.ts", export: "P", anything: { nested: [1, 2] } }',
    'sqlite { pool: { min: 1, max: 2, acquire_timeout: 0, idle_timeout: 10, max_lifetime: 0, validate: false }, timeout_seconds: 5, retry_attempts: 2, retry_delay_seconds: 0.1, health_check_interval: 30 }',
    'sqlite { connection_pool_size: env("POOL"), pool: { min: 2 } }',
    'sqlite { timeout_seconds: env("T"), wal: env("WAL", "true"), health_check_interval: null }',
    'postgres { host: "db", ssl: { rejectUnauthorized: false, ca: env("PG_CA") } }',
    'http { base_url: "u", circuit_breaker: true, headers: { "X-Retries": 3 }, auth: { type: "basic", username: "u" }, rate_limit: { requests_per_second: 0.5, burst: 1.5 } }',
    'llm { base_url: "u", model: "m", circuit_breaker: { failure_threshold: 2, reset_timeout: 0 } }',
  ])("%s", (declaration) => {
    expect(dslProblems(declaration)).toEqual([]);
  });
});

describe("resource configurations: problems", () => {
  it("FSM0217: an unknown kind, with did-you-mean or the other tool's spelling", () => {
    expect(dslProblems('sqlit { path: "a" }')).toEqual(["FSM0217 sqlit: unknown resource kind `sqlit`"]);
    expect(yamlProblems("{name: r, type: async_database}")).toEqual(["FSM0217 async_database: unknown resource kind `async_database`"]);
    const text = "fsm m {\n  resource r: postgresql\n  network main { start state a uses r { -> b } end state b }\n}\n";
    const [d] = compileToIr([{ path: "m.fsm", text }], host).log.sorted();
    expect(d?.help).toBe("fsmc calls this kind `postgres`: write `postgres`");
  });

  it("FSM0218: unknown keys, top-level and nested, at the key", () => {
    expect(dslProblems('filesystem { base_path: "out", root: "x" }')).toEqual(["FSM0218 root: resource `r` (filesystem) has no configuration key `root`"]);
    expect(dslProblems('http { base_url: "u", circuit_breaker: { threshold: 3 } }')).toEqual([
      "FSM0218 threshold: resource `r` (http) has no configuration key `circuit_breaker.threshold`",
    ]);
    expect(dslProblems('http { base_url: "u", auth: { type: "bearer", token: "t", user: "x" } }')).toEqual([
      "FSM0218 user: resource `r` (http) has no configuration key `auth.user`",
    ]);
    expect(dslProblems('database { backend: "postgres", host: "h", path: "a.db" }')).toEqual([
      "FSM0218 path: resource `r` (database, postgres) has no configuration key `path`",
    ]);
    expect(yamlProblems("{name: r, type: sqlite, config: {path: a.db, pool: {maximum: 3}}}")).toEqual([
      "FSM0218 maximum: resource `r` (sqlite) has no configuration key `pool.maximum`",
    ]);
  });

  it("FSM0219: a key taking one of several types names them all; a fitting alternative reports its own details", () => {
    expect(dslProblems('http { base_url: "u", circuit_breaker: "on" }')).toEqual([
      'FSM0219 "on": `circuit_breaker` of resource `r` must be `true` or `false` or an object (keys `failure_threshold`, `reset_timeout`), found string `"on"`',
    ]);
    expect(dslProblems('http { base_url: "u", circuit_breaker: { failure_threshold: 0 } }')).toEqual([
      "FSM0219 0: `circuit_breaker.failure_threshold` of resource `r` must be a whole number ≥ 1, found number `0`",
    ]);
    expect(dslProblems('postgres { host: "h", ssl: env("PG_SSL") }')).toEqual([]);
  });

  it("FSM0219: values of the wrong type, at the value; environment references stand for scalars only", () => {
    expect(dslProblems('sqlite { wal: "yes" }')).toEqual(['FSM0219 "yes": `wal` of resource `r` must be `true` or `false`, found string `"yes"`']);
    expect(dslProblems("sqlite { pool: { max: 0 } }")).toEqual(["FSM0219 0: `pool.max` of resource `r` must be a whole number ≥ 1, found number `0`"]);
    expect(dslProblems('sqlite { pool: env("POOL") }')).toEqual([
      'FSM0219 env("POOL"): `pool` of resource `r` must be an object (keys `min`, `max`, `acquire_timeout`, `idle_timeout`, `max_lifetime`, `validate`), found string `"${POOL}"`',
    ]);
    expect(dslProblems('vector { dimensions: 3, metric: "dot" }')).toEqual(['FSM0219 "dot": `metric` of resource `r` must be one of `"cosine"`, `"l2"`, found string `"dot"`']);
    expect(dslProblems('http { base_url: "u", headers: { "X-N": [1] } }')).toEqual(["FSM0219 [1]: `headers.X-N` of resource `r` must be a string, found a list"]);
    expect(dslProblems('http { base_url: "u", auth: { type: "oauth" } }')).toEqual([
      'FSM0219 "oauth": `auth.type` of resource `r` must be one of `"bearer"`, `"basic"`, `"api_key"`, found string `"oauth"`',
    ]);
    expect(dslProblems('http { base_url: "u", rate_limit: { burst: 2 } }')).toEqual([
      "FSM0219 { burst: 2 }: `rate_limit` of resource `r` must be an object with `requests_per_second` or `requests_per_minute`, found an object without `requests_per_second` or `requests_per_minute`",
    ]);
    expect(yamlProblems("{name: r, type: llm, config: {base_url: u, model: m, max_tokens: 1.5}}")).toEqual([
      "FSM0219 1.5: `max_tokens` of resource `r` must be a whole number ≥ 1, found number `1.5`",
    ]);
    expect(yamlProblems("{name: r, type: database, config: {backend: oracle}}")).toEqual([
      'FSM0219 oracle: `backend` of resource `r` must be one of `"sqlite"`, `"postgres"`, `"postgresql"`, found string `"oracle"`',
    ]);
  });

  it("FSM0220: a resource that cannot open alone is a warning naming what is missing", () => {
    expect(dslProblems('postgres { user: "app" }')).toEqual(["FSM0220 r: resource `r` cannot open on its own: `connection_string` or `host` is missing"]);
    expect(dslProblems("vector")).toEqual(["FSM0220 r: resource `r` cannot open on its own: `dimensions` is missing"]);
    expect(dslProblems("llm")).toEqual(["FSM0220 r: resource `r` cannot open on its own: `base_url`, `model` are missing"]);
    expect(dslProblems("custom { ttl: 3 }")).toEqual(["FSM0220 r: custom resource `r` names no provider module"]);
    expect(yamlProblems("{name: r, type: filesystem}")).toEqual(["FSM0220 r: resource `r` cannot open on its own: `base_path` is missing"]);
  });

  it("FSM0220 only for used resources (an unused one is never opened; FSM0403 reports it)", () => {
    const text = "fsm m {\n  resource r: llm\n  network main { start state a { -> b } end state b }\n}\n";
    expect(compileToIr([{ path: "m.fsm", text }], host).log.sorted().map((d) => d.code)).toEqual(["FSM0403"]);
  });

  it("FSM0221 and FSM0222: the pool's size given twice, its minimum above its maximum", () => {
    expect(dslProblems("sqlite { pool: { max: 3 }, connection_pool_size: 3 }")).toEqual(["FSM0221 connection_pool_size: resource `r` gives its pool size twice"]);
    expect(dslProblems("sqlite { pool: { min: 4 }, connection_pool_size: 3 }")).toEqual(["FSM0222 4: resource `r` keeps at least 4 handles in a pool of at most 3"]);
    expect(dslProblems("sqlite { pool: { min: 11 } }")).toEqual(["FSM0222 11: resource `r` keeps at least 11 handles in a pool of at most 10"]);
    expect(dslProblems('sqlite { pool: { min: 11, max: env("MAX") } }')).toEqual([]);
    expect(yamlProblems("{name: r, type: sqlite, config: {pool: {max: 2}}, connection_pool_size: 2}")).toEqual([
      "FSM0221 connection_pool_size: resource `r` gives its pool size twice",
    ]);
  });

  it("checks only the first of two declarations of one name (the duplicate is FSM0206's)", () => {
    const text = 'fsm m {\n  resource r: sqlite\n  resource r: http\n  network main { start state a uses r { -> b } end state b }\n}\n';
    expect(compileToIr([{ path: "m.fsm", text }], host).log.sorted().map((d) => d.code)).toEqual(["FSM0206"]);
  });
});
