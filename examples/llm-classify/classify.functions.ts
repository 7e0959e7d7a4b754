// Functions for classify.fsm. Written once by fsmc; edit freely.
// New functions are appended by `fsmc build`.

import type { Ctx, LlmHandle } from "fsmc/runtime";
import type { Ticket } from "./classify.fsm.js";

/** Asks the model for the ticket's label, as a JSON object `{ "label": … }`. */
export async function classifyTicket(data: Ticket, ctx: Ctx<"classify", { readonly llm: LlmHandle }>): Promise<Ticket> {
  const answer = await ctx.resources.llm.chat(
    [
      { role: "system", content: 'Label the support ticket: billing, technical or shipping. Answer as JSON: {"label": "…"}.' },
      { role: "user", content: `classify: ${data.text}` },
    ],
    { json: true, temperature: 0 },
  );
  let label: string | undefined;
  try {
    const parsed = JSON.parse(answer.content) as { label?: unknown };
    if (typeof parsed.label === "string") label = parsed.label;
  } catch {
    // not JSON: the ticket ends in `unsure`
  }
  return label === undefined ? data : { ...data, label };
}
