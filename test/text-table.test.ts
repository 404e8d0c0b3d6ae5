import assert from "node:assert/strict";
import { test } from "node:test";
import { alignColumns } from "../src/text-table.js";

test("columns are as wide as their widest cell, two spaces apart, with no trailing blanks", () => {
  assert.deepEqual(alignColumns([["stage", "verdict", "reason"], ["2a5b-gcc10-o0-rebuilt", "build", "not in the store"], ["1-a", "unknown-until-inputs-built", "x"]]), [
    "stage                  verdict                     reason",
    "2a5b-gcc10-o0-rebuilt  build                       not in the store",
    "1-a                    unknown-until-inputs-built  x",
  ]);
});
