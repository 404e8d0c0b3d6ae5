// What every command receives and exports. Types only: importing this loads nothing.
import type { ParseArgsConfig } from "node:util";

export type OptionSpec = NonNullable<ParseArgsConfig["options"]>;

export interface CommandContext {
  positionals: string[];
  options: Record<string, string | boolean | string[] | undefined>;
  verbose: boolean;
  tty: boolean;
  log: (line: string) => void;
  print: (line: string) => void;
  /** Aborted on SIGINT/SIGTERM: running VMs are killed and nothing half-done is stored. */
  signal: AbortSignal;
}

/** A command's module, loaded only when the command runs or shows its help. */
export interface Command {
  help: string;
  run(ctx: CommandContext): Promise<void>;
}

/** What the CLI knows about a command before loading it: enough for `--help` and flag errors. */
export interface CommandSpec {
  summary: string;
  usage: string;
  options: OptionSpec;
  load(): Promise<Command>;
}
