/** The fake OpenAI-compatible server (scripts/fake-llm.ts), for tests. */
export * from "../../scripts/fake-llm.js";
