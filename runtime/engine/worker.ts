/**
 * The entry of a `processBatch` worker thread (batch-workers.ts, docs/batch.md "Worker threads").
 * It imports the generated module the plan names, builds the machine with the named factory and
 * the options the main thread sent, then runs each chunk of records it is sent through the
 * machine's own `processBatch` (so `processSync` when the machine is synchronous, else `process`),
 * one chunk at a time, and posts the results back tagged with the chunk's id.
 */
import { parentPort, workerData } from "node:worker_threads";
import type { AsyncMachine, BatchOptions } from "../machine/api.js";
import type { ChunkMessage, ChunkReply, WorkerPlan } from "./batch-workers.js";

/** Builds the machine of the plan; throws (ending the worker with an `error` event) when it cannot. */
async function machineOf(plan: WorkerPlan): Promise<AsyncMachine<unknown>> {
  const module = (await import(plan.module)) as Record<string, unknown>;
  const factory = module[plan.factory];
  if (typeof factory !== "function") {
    throw new TypeError(`processBatch worker: module ${plan.module} exports no function \`${plan.factory}\``);
  }
  return (factory as (options: unknown) => AsyncMachine<unknown>)(plan.options);
}

/** The reply to one chunk: its results, or the message of what went wrong. */
async function answer(machine: AsyncMachine<unknown>, message: ChunkMessage): Promise<ChunkReply> {
  try {
    const results = await machine.processBatch(message.records, message.options as BatchOptions);
    return { id: message.id, results };
  } catch (error) {
    return { id: message.id, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const port = parentPort;
if (port === null) throw new Error("runtime/engine/worker is a worker_threads entry; it cannot run on the main thread");
const machine = await machineOf(workerData as WorkerPlan);
// One chunk at a time, in the order they came: the machine's runs of one chunk never interleave with another's.
let queue: Promise<void> = Promise.resolve();
port.on("message", (message: ChunkMessage) => {
  queue = queue.then(async () => {
    const reply = await answer(machine, message);
    try {
      port.postMessage(reply);
    } catch (error) {
      // A result that cannot be cloned (a function in `data`): the batch fails with the reason.
      port.postMessage({ id: message.id, error: `results cannot be sent back from the worker: ${error instanceof Error ? error.message : String(error)}` } satisfies ChunkReply);
    }
  });
});
