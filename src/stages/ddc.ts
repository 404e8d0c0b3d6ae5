// `zilchboot ddc`: the verdict of the diverse double-compile. Stage 1-ddc (i386 guest, from the
// independent i386 seed) outputs the x86_64 tcc it built with an i386-hosted cross tcc; it must be
// byte-identical to the tcc 1-stage1 built from the x86_64 seed.
import fs from "node:fs/promises";
import path from "node:path";
import { sha256Hex } from "../sha256.js";

export const DDC_STAGE = "1-ddc";
export const REFERENCE_STAGE = "1-stage1";
/** Where each stage's output holds the x86_64 tcc. */
export const DDC_TCC = "x86_64/tcc";
export const REFERENCE_TCC = "tinycc/bin/tcc";

export interface DdcVerdict {
  identical: boolean;
  ddcSha256: string;
  referenceSha256: string;
  ddcSize: number;
  referenceSize: number;
  /** First differing byte offset (the shorter length if one is a prefix of the other); null if identical. */
  firstDifference: number | null;
}

/** Pure: compares the two builds byte for byte. */
export function compareBuilds(ddc: Uint8Array, reference: Uint8Array): DdcVerdict {
  const n = Math.min(ddc.length, reference.length);
  let at: number | null = null;
  for (let i = 0; i < n; i++) {
    if (ddc[i] !== reference[i]) {
      at = i;
      break;
    }
  }
  if (at === null && ddc.length !== reference.length) at = n;
  return {
    identical: at === null,
    ddcSha256: sha256Hex(ddc),
    referenceSha256: sha256Hex(reference),
    ddcSize: ddc.length,
    referenceSize: reference.length,
    firstDifference: at,
  };
}

/** Reads both tcc binaries from the stages' output directories and compares them. */
export async function ddcVerdict(ddcOut: string, referenceOut: string): Promise<DdcVerdict> {
  const [ddc, reference] = await Promise.all([fs.readFile(path.join(ddcOut, DDC_TCC)), fs.readFile(path.join(referenceOut, REFERENCE_TCC))]);
  return compareBuilds(ddc, reference);
}

/** The lines `zilchboot ddc` prints. */
export function describeVerdict(v: DdcVerdict): string[] {
  const lines = [
    `x86_64 tcc from the x86_64 seed (${REFERENCE_STAGE}):          ${v.referenceSha256}  ${v.referenceSize} bytes`,
    `x86_64 tcc from the i386 seed via a cross tcc (${DDC_STAGE}): ${v.ddcSha256}  ${v.ddcSize} bytes`,
  ];
  if (v.identical) lines.push("ddc: IDENTICAL: stage 1's tcc does not depend on the x86_64 seed (it is what its source says)");
  else lines.push(`ddc: DIFFERENT: the files first differ at byte offset ${v.firstDifference}`);
  return lines;
}
