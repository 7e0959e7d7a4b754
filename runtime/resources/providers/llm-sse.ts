/**
 * Server-sent events as OpenAI-compatible servers stream them: `data:` lines, an event per blank
 * line, `data: [DONE]` at the end. Only the `data` field matters here; comments (`:`) and other
 * fields (`event:`, `id:`) are skipped.
 */

/** The `data` of each event, in order, until `[DONE]` or the end of the body. */
export async function* sseData(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let data: string[] = [];
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.search(/\r\n|\r|\n/);
    // A `\r` at the very end may be the first half of a `\r\n` split across chunks: wait for more.
    while (newline >= 0 && !(newline === buffer.length - 1 && buffer[newline] === "\r")) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + (buffer.startsWith("\r\n", newline) ? 2 : 1));
      if (line === "") {
        if (data.length > 0) {
          const event = data.join("\n");
          data = [];
          if (event.trim() === "[DONE]") return;
          yield event;
        }
      } else if (line.startsWith("data:")) {
        data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
      }
      newline = buffer.search(/\r\n|\r|\n/);
    }
  }
  const rest = (buffer + decoder.decode()).replace(/\r$/, "");
  if (rest.startsWith("data:")) data.push(rest.slice(rest.startsWith("data: ") ? 6 : 5));
  const last = data.join("\n");
  if (data.length > 0 && last.trim() !== "[DONE]") yield last;
}
