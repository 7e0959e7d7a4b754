/** `fsmc run`'s reading of runtime resource errors: FSM0909 with the FSMR code and the resource's name. */
import { describe, expect, it } from "vitest";
import { resourceFailure } from "../../../../compiler/cli/commands/run.js";
import { FunctionNotFoundError, ResourceConfigError, ResourceError, ResourceManagerClosedError, ResourceTimeoutError } from "../../../../runtime/index.js";

describe("resourceFailure", () => {
  it("turns a runtime resource error into FSM0909 naming the resource, the code and the phase", () => {
    const d = resourceFailure(new ResourceConfigError("api", "`base_url` is required"), "opening");
    expect(d).toMatchObject({
      code: "FSM0909",
      severity: "error",
      message: "resource `api` failed while the machine was created (FSMR0026)",
      notes: ["resource `api`: `base_url` is required"],
    });
    expect(d?.help).toContain("fsmc explain FSMR0026");
    expect(resourceFailure(new ResourceError("db", "connection refused", { retryable: true }), "running")?.message).toBe(
      "resource `db` failed while records were running (FSMR0020)",
    );
    expect(resourceFailure(new ResourceTimeoutError("db", 1000, 2), "running")?.message).toBe("resource `db` failed while records were running (FSMR0021)");
    // No `resource` field: the name is read from the message.
    expect(resourceFailure(new ResourceManagerClosedError("cache"), "closing")?.message).toBe("resource `cache` failed while the machine was closed (FSMR0022)");
  });

  it("leaves other errors alone", () => {
    expect(resourceFailure(new FunctionNotFoundError("f"), "opening")).toBeUndefined();
    expect(resourceFailure(new Error("resource `x`: boom"), "opening")).toBeUndefined();
    expect(resourceFailure("FSMR0020", "opening")).toBeUndefined();
  });
});
