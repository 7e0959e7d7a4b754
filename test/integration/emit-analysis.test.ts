/** `fsmc build --emit-analysis`: the analysis as JSON, with what each state and arc acquires and releases. */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fsmc, tempDir } from "../support/cli.js";

const MACHINE = `fsm shop {
  resource db: sqlite { path: "shop.db" }
  resource api: http { base_url: env("API_URL") }
  network main {
    start state enrich uses db { -> push scoring returns done }
    end state done
  }
  network scoring {
    start state score { -> scored uses api when \`ctx.resources.api !== undefined\` }
    end state scored
  }
}
`;

let dir = "";
let cleanup = () => {};
beforeAll(() => {
  ({ dir, cleanup } = tempDir());
  writeFileSync(join(dir, "shop.fsm"), MACHINE);
});
afterAll(() => cleanup());

describe("fsmc build --emit-analysis", () => {
  it("prints held resources, role scopes and lifetimes of every state and arc, and writes nothing", async () => {
    const r = await fsmc(["build", "shop.fsm", "--emit-analysis"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const analysis = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(analysis["machine"]).toBe("shop");
    expect(analysis["isSync"]).toBe(false);
    expect(analysis["heldResources"]).toEqual({ "main.enrich": ["db"], "main.done": [], "scoring.score": ["db"], "scoring.scored": ["db"] });
    expect(analysis["stateRoles"]).toMatchObject({ "scoring.score": { db: ["db"] } });
    expect(analysis["arcRoles"]).toMatchObject({ "scoring.score#0": { api: ["api"], db: ["db"] } });
    expect(analysis["stateLifetimes"]).toMatchObject({
      "main.enrich": { acquired: ["db"], released: ["db"], inherited: [] },
      "scoring.score": { acquired: [], released: [], inherited: ["db"] },
    });
    expect(analysis["arcLifetimes"]).toEqual({ "main.enrich#0": { condition: [], transform: [] }, "scoring.score#0": { condition: ["api"], transform: [] } });
    expect(r.stdout).not.toContain("wrote");
  });
});
