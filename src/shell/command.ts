// The `shell` command's body: check the words, prepare the stage's share, run the session in the
// user's terminal or behind a web page, and say how it ended.
import { TerminalFrontend } from "../console/terminal.js";
import { ZilchError } from "../errors.js";
import type { Session } from "../stages/session.js";
import { runWebShell } from "../web/web-shell.js";
import type { ShellMode } from "./guest-session.js";
import { prepareShell } from "./prepare.js";
import { describeShellEnd, runShell, type ShellResult } from "./session.js";

export const SHELL_HELP = `Boots the stage's VM as a build would (no NIC, inputs read-only, /out writable scratch) with
stage 1's ash on the serial console instead of the stage's program. The shell's own tools (stage 1's
init and busybox, the seed and vm/shell/console.c) are served at /zilchboot/shell, outside the inputs.
  --before         only the stage's declared inputs (default)
  --after          also its output, at /store/STAGE (built first if missing)
  --rerun          first re-run the stage's program as a build does, then the shell: after a failed
                   build, /tmp holds its build tree and /out its partial output
  --web            serve an xterm.js page on 127.0.0.1 instead of using this terminal; prints its URL
Keys: Ctrl-] q quits and kills the VM, Ctrl-] Ctrl-] sends Ctrl-], Ctrl-] ? shows help.
The VM runs until the shell exits, or --timeout.`;

export interface ShellWords {
  stage: string;
  mode: ShellMode;
  rerun: boolean;
  web: boolean;
}

/** Checks the shell command's words; `terminal`: stdin and stdout are TTYs. Pure. */
export function shellWords(positionals: string[], options: Record<string, unknown>, terminal: boolean): ShellWords {
  if (positionals.length !== 1) {
    throw new ZilchError({ code: "USAGE", message: `shell takes one stage, got ${positionals.length === 0 ? "none" : positionals.join(" ")}`, hint: "e.g. 'zilchboot shell 1-stage1'" });
  }
  if (options.before === true && options.after === true) {
    throw new ZilchError({ code: "USAGE", message: "--before and --after exclude each other", hint: "pick one (default: --before)" });
  }
  if (options.rerun === true && options.after === true) {
    throw new ZilchError({ code: "USAGE", message: "--rerun re-runs the stage on its inputs, --after shows its output", hint: "drop one of them" });
  }
  if (options.runner === "native") {
    throw new ZilchError({ code: "USAGE", message: "zilchboot shell needs a VM; --runner native has no console to attach", hint: "drop --runner native" });
  }
  if (options.web !== true && !terminal) {
    throw new ZilchError({ code: "USAGE", message: "zilchboot shell needs a terminal on stdin and stdout", hint: "run it from a terminal, or use --web" });
  }
  return { stage: positionals[0], mode: options.after === true ? "after" : "before", rerun: options.rerun === true, web: options.web === true };
}

export interface ShellContext {
  tty: boolean;
  log: (line: string) => void;
  print: (line: string) => void;
  signal: AbortSignal;
}

export async function runShellCommand(words: ShellWords, session: Session, ctx: ShellContext): Promise<void> {
  const prepared = await prepareShell({ stage: words.stage, mode: words.mode, rerun: words.rerun, session });
  const runOptions = {
    backend: prepared.backend,
    kernel: prepared.kernel,
    cpus: prepared.cpus,
    memoryMiB: session.vm.memoryMiB ?? prepared.stage.memoryMiB,
    timeoutMs: session.vm.timeoutMs,
    signal: ctx.signal,
  };
  let result: ShellResult | null;
  try {
    if (words.web) {
      result = await runWebShell(prepared, {
        ...runOptions,
        log: ctx.log,
        onListening: (server) => {
          ctx.log("zilchboot shell: open this page (the VM boots when it connects; closing it or Ctrl-C here ends the VM):");
          ctx.print(server.url);
        },
      });
    } else {
      result = await runShell(prepared, new TerminalFrontend(), runOptions);
    }
  } finally {
    await prepared.dispose();
  }
  if (!result) return;
  const end = describeShellEnd(result, prepared.logFile);
  ctx.log(end);
  const { outcome } = result.run;
  if (!result.quit && !ctx.signal.aborted && outcome.kind !== "status") {
    throw new ZilchError({ code: "VM", message: end.replace(/^zilchboot shell: /, "shell VM failed: "), hint: "see the log" });
  }
}
