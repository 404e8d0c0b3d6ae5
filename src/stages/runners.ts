// How each kind of stage starts in the guest: which PID 1, with which words. A shell stage's PID 1,
// shell and PATH come from what the stages it lists as "tools" provide (their stage.json's
// "provides"), so no stage's output layout is written here.
import { ZilchError } from "../errors.js";
import type { Provides, StageRecipe } from "./recipe.js";
import { SEED_GUEST_PATH } from "./share.js";

/** The stage whose init and busybox `zilchboot shell` serves as its own tools (shell/prepare.ts);
 *  where in its output they are comes from its "provides" (see providedTools). */
export const STAGE1 = "1-stage1";

/** Whether a stage's guest sees the seed tcc and our guest headers (/guest). Only seed-tcc stages
 *  do: shell stages run their tools, so neither is served to them nor part of their input hash
 *  (editing vm/guest must not invalidate an hour-long binutils build that never reads it). */
export function seesSeedAndGuest(stage: Pick<StageRecipe, "runner">): boolean {
  return stage.runner === "seed-tcc";
}

/** A shell stage's world, as guest paths: PATH's directories in order, PID 1, the shell. */
export interface ShellToolchain {
  path: string[];
  init: string;
  shell: string;
}

function inStore(stage: string, relative: string): string {
  return `/store/${stage}/${relative}`;
}

/** PATH is every tool's bin directories in the order "tools" lists them; PID 1 and the shell come
 *  from the first tool that provides each. */
export function shellToolchain(stage: Pick<StageRecipe, "name" | "tools">): ShellToolchain {
  const tools = stage.tools ?? [];
  if (tools.length === 0) {
    throw new ZilchError({
      code: "PIN",
      message: `stage ${stage.name} runs a shell script but lists no "tools"`,
      hint: `list the inputs whose programs it uses in its stage.json, e.g. "tools": ["1-stage1"] (stage 1 provides init, ash and tcc)`,
    });
  }
  const first = (what: "init" | "shell"): string => {
    const tool = tools.find((t) => t.provides[what] !== undefined);
    if (tool) return inStore(tool.stage, tool.provides[what]!);
    throw new ZilchError({
      code: "PIN",
      message: `stage ${stage.name}: none of its tools (${tools.map((t) => t.stage).join(", ")}) provides ${what === "init" ? "an init (PID 1)" : "a shell"}`,
      hint: `add a tool whose stage.json has "provides": { "${what}": … } to its "inputs" and "tools" (1-stage1 provides both)`,
    });
  };
  return { path: tools.flatMap((t) => t.provides.bin.map((dir) => inStore(t.stage, dir))), init: first("init"), shell: first("shell") };
}

/** What a stage's output offers as tools (e.g. for `zilchboot shell`, which serves stage 1's). */
export function providedTools(stage: Pick<StageRecipe, "name" | "provides">): Provides {
  if (stage.provides) return stage.provides;
  throw new ZilchError({ code: "PIN", message: `stage ${stage.name} provides no tools`, hint: `add "provides" (bin, init, shell) to recipes/${stage.name}/stage.json` });
}

/** PID 1 and its words except the job count: everything of the guest command that can change
 *  the output, and so what a stage's input hash covers (runners.ts is the only place that knows
 *  how the words are laid out). */
export interface GuestCommandTemplate {
  init: string;
  /** KEY=VALUE words (shell stages), JOBS excluded. */
  env: string[];
  argv: string[];
}

export function guestCommandTemplate(stage: StageRecipe): GuestCommandTemplate {
  if (stage.runner === "seed-tcc") {
    return { init: SEED_GUEST_PATH, env: [], argv: ["-nostdinc", "-nostdlib", "-I/guest", "-run", `/recipe/${stage.program}`, ...stage.args] };
  }
  const tools = shellToolchain(stage);
  // The script's whole environment: nothing from the host, nothing from the kernel.
  const extra = Object.entries(stage.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => `${key}=${value}`);
  return { init: tools.init, env: [`PATH=${tools.path.join(":")}`, "SOURCE_DATE_EPOCH=0", ...extra], argv: [tools.shell, `/recipe/${stage.program}`, ...stage.args] };
}

export interface GuestCommand {
  init: string;
  initArgs: string[];
}

/** PID 1 and its arguments for a stage; `jobs` is the guest's vCPU count. */
export function guestCommand(stage: StageRecipe, jobs: number): GuestCommand {
  const { init, env, argv } = guestCommandTemplate(stage);
  if (stage.runner === "seed-tcc") return { init, initArgs: argv };
  // JOBS goes after PATH and SOURCE_DATE_EPOCH, where it has always been.
  return { init, initArgs: [...env.slice(0, 2), `JOBS=${jobs}`, ...env.slice(2), ...argv] };
}
