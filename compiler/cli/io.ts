/** The CLI's I/O surface (streams and exit code), injectable so tests run commands in-process. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  readonly stdin: NodeJS.ReadableStream;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when stderr is a terminal (colours on). */
  readonly isTty: boolean;
}

/** Exit codes of every command (DESIGN §1). */
export const EXIT = {
  ok: 0,
  /** Internal error (a bug in fsmc, or an unexpected I/O failure). */
  internal: 1,
  /** The definition is invalid (diagnostics on stderr), or bad usage. */
  invalid: 2,
  /** Some records failed (`fsmc run`). */
  recordsFailed: 3,
} as const;

/** Writes text and resolves once it is flushed. */
export function write(stream: NodeJS.WritableStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(text, (err) => (err ? reject(err) : resolve()));
  });
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    cwd: process.cwd(),
    env: process.env,
    isTty: Boolean(process.stderr.isTTY) && !process.env["NO_COLOR"],
  };
}
