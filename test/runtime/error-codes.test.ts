/** Every runtime error code (FSMR) is raised by a real trigger and carries its stable code. */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { systemClock } from "../../runtime/clock.js";
import { HttpClient } from "../../runtime/resources/http/client.js";
import { ResourceManager, type ResourceSpec } from "../../runtime/resources/manager.js";
import { createFilesystemProvider } from "../../runtime/resources/providers/filesystem.js";
import { createSqliteProvider } from "../../runtime/resources/providers/sqlite.js";
import { builtin, defineMachine, type FilesystemHandle, type FsmRuntimeError, handleProvider, type ResourceProvider } from "../../runtime/index.js";
import { flow } from "./engine/support.js";

/** The error a function throws (fails the test when it does not throw). */
function thrown(run: () => unknown): FsmRuntimeError {
  try {
    run();
  } catch (error) {
    return error as FsmRuntimeError;
  }
  throw new Error("expected an error");
}

describe("runtime error codes", () => {
  it("FSMR0001: a registered function missing at define time", () => {
    const def = flow({ s: { start: true, final: true, transforms: [{ name: "missing", fn: undefined as never }] } });
    expect(thrown(() => defineMachine(def)).code).toBe("FSMR0001");
  });

  it("FSMR0002: a used resource without a handle", () => {
    const def = flow({ s: { start: true, final: true, resources: ["db"] } }, { resources: ["db"] });
    expect(thrown(() => defineMachine(def)).code).toBe("FSMR0002");
  });

  it("FSMR0003: processSync on a machine with an async function", () => {
    const def = flow({ s: { start: true, final: true, transforms: [{ name: "later", fn: async () => undefined, async: true }] } });
    expect(thrown(() => defineMachine(def).processSync({})).code).toBe("FSMR0003");
  });

  it("FSMR0004: an invalid definition table", () => {
    const def = flow({ s: { start: true, final: true } });
    expect(thrown(() => defineMachine({ ...def, mainNetwork: 5 })).code).toBe("FSMR0004");
  });

  it("FSMR0005 and FSMR0006: require_resource and resource_for_role outside the declared resources", () => {
    const seen: string[] = [];
    const probe = (_data: unknown, ctx: { require_resource(n: string): unknown; resource_for_role(r: string): unknown }) => {
      for (const call of [() => ctx.require_resource("db"), () => ctx.resource_for_role("lookup")]) {
        try {
          call();
        } catch (error) {
          seen.push((error as FsmRuntimeError).code);
        }
      }
      return undefined;
    };
    defineMachine(flow({ s: { start: true, final: true, transforms: [probe] } })).processSync({});
    expect(seen).toEqual(["FSMR0005", "FSMR0006"]);
  });

  it("FSMR0007: the same record in two concurrent DIRECT runs", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const def = flow({ s: { start: true, final: true, mode: "direct", transforms: [{ name: "wait", fn: () => gate.then(() => undefined), async: true }] } });
    const fsm = defineMachine(def);
    const record = { x: 1 };
    const first = fsm.process(record, { dataMode: "direct" });
    const second = await fsm.process(record, { dataMode: "direct" });
    release();
    await first;
    expect(second.success).toBe(false);
    expect(second.error).toContain("DIRECT mode does not support concurrent access");
  });

  it("FSMR0008: processing after close", async () => {
    const fsm = defineMachine(flow({ s: { start: true, final: true } }));
    await fsm.close();
    expect(thrown(() => fsm.processSync({})).code).toBe("FSMR0008");
  });

  it("FSMR0010, FSMR0011, FSMR0012: the builtin library", () => {
    expect(thrown(() => builtin("transformers.uppercase")).code).toBe("FSMR0010");
    expect(thrown(() => builtin("validators.range", { field: "x", minimum: 0 })).code).toBe("FSMR0011");
    const flatten = builtin("transformers.flatten") as unknown as (data: unknown, ctx: unknown) => unknown;
    expect(thrown(() => flatten({ a: { b: 1 }, "a.b": 2 }, {})).code).toBe("FSMR0012");
  });

  describe("resources (FSMR0020–FSMR0028)", () => {
    const spec = (provider: ResourceProvider, max = 1): ResourceSpec => ({
      name: "db",
      provider,
      pool: { min: 0, max, acquireTimeoutMs: 1000, idleTimeoutMs: 0, maxLifetimeMs: 0, validateOnBorrow: false },
      retry: { attempts: 0, delayMs: 0 },
      stateTimeoutMs: 1000,
      healthIntervalMs: 0,
      secrets: [],
    });
    const refusing: ResourceProvider = { kind: "x", sync: true, acquire: () => { throw new Error("connect ECONNREFUSED"); }, release: () => undefined };

    it("FSMR0020, FSMR0021, FSMR0022, FSMR0028: the pool and the manager", async () => {
      expect(thrown(() => new ResourceManager([spec(refusing)], systemClock).acquire("db", "o")).code).toBe("FSMR0020");
      const m = new ResourceManager([spec(handleProvider({}))], systemClock);
      m.acquire("db", "a");
      expect(thrown(() => m.acquire("db", "b", 0)).code).toBe("FSMR0021");
      expect(thrown(() => m.acquire("nope", "a")).code).toBe("FSMR0028");
      await m.close();
      expect(thrown(() => m.acquire("db", "c")).code).toBe("FSMR0022");
    });

    it("FSMR0023: a filesystem path outside the base path", () => {
      const dir = mkdtempSync(join(tmpdir(), "fsmc-codes-"));
      try {
        const files = createFilesystemProvider("files", { base_path: dir }).acquire() as FilesystemHandle;
        expect(thrown(() => files.resolve("../outside.txt")).code).toBe("FSMR0023");
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it("FSMR0024 and FSMR0025: an open circuit, and an HTTP error status", async () => {
      const server = createServer((_req, res) => {
        res.statusCode = 404;
        res.end("no such thing");
      });
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      const port = (server.address() as AddressInfo).port;
      const base = { resource: "api", timeoutMs: 2000, maxRetries: 0, retryDelayMs: 0, maxRetryDelayMs: 0 };
      const ok = new HttpClient({ ...base, baseUrl: `http://127.0.0.1:${port}` });
      const status = await ok.request("GET", "/x").catch((e: unknown) => e as FsmRuntimeError);
      expect((status as FsmRuntimeError).code).toBe("FSMR0025");
      await ok.close();
      server.close();
      // A closed port refuses the connection: one failure opens a breaker of threshold 1.
      const down = new HttpClient({ ...base, baseUrl: `http://127.0.0.1:${port}`, circuitBreaker: { failureThreshold: 1, resetTimeoutMs: 60_000 } });
      await down.request("GET", "/x").catch(() => undefined);
      const open = await down.request("GET", "/x").catch((e: unknown) => e as FsmRuntimeError);
      expect((open as FsmRuntimeError).code).toBe("FSMR0024");
      await down.close();
    });

    it("FSMR0026: a resource configuration the provider cannot use", () => {
      expect(thrown(() => createSqliteProvider("db", { pth: "x.db" })).code).toBe("FSMR0026");
    });
  });
});
