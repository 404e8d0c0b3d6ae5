// How each kind of stage starts in the guest: which PID 1, with which words. Guest paths of the
// tools stage 1 provides live here, in one place.
import { ZilchError } from "../errors.js";
import type { StageRecipe } from "./recipe.js";
import { SEED_GUEST_PATH } from "./share.js";

/** Stage 1's outputs as later stages see them (its output is served at /store/1-stage1/). */
export const STAGE1 = "1-stage1";
export const STAGE1_INIT = `/store/${STAGE1}/init`;
export const STAGE1_PATH = `/store/${STAGE1}/protobusybox/bin:/store/${STAGE1}/tinycc/bin`;
export const STAGE1_ASH = `/store/${STAGE1}/protobusybox/bin/ash`;

/** Whether a stage's guest sees the seed tcc and our guest headers (/guest). Only seed-tcc stages
 *  do: shell stages run stage 1's tools, so neither is served to them nor part of their input hash
 *  (editing vm/guest must not invalidate an hour-long binutils build that never reads it). */
export function seesSeedAndGuest(stage: Pick<StageRecipe, "runner">): boolean {
  return stage.runner === "seed-tcc";
}

export interface GuestCommand {
  init: string;
  initArgs: string[];
}

/** PID 1 and its arguments for a stage; `jobs` is the guest's vCPU count. */
export function guestCommand(stage: StageRecipe, jobs: number): GuestCommand {
  if (stage.runner === "seed-tcc") {
    return { init: SEED_GUEST_PATH, initArgs: ["-nostdinc", "-nostdlib", "-I/guest", "-run", `/recipe/${stage.program}`, ...stage.args] };
  }
  if (!stage.inputs.includes(STAGE1)) {
    throw new ZilchError({
      code: "PIN",
      message: `stage ${stage.name} runs a shell script but does not list ${STAGE1} in "inputs"`,
      hint: `add "${STAGE1}" to its inputs: its init, ash and tcc run the script`,
    });
  }
  // The script's whole environment: nothing from the host, nothing from the kernel.
  const env = [`PATH=${STAGE1_PATH}`, "SOURCE_DATE_EPOCH=0", `JOBS=${jobs}`];
  return { init: STAGE1_INIT, initArgs: [...env, STAGE1_ASH, `/recipe/${stage.program}`, ...stage.args] };
}
