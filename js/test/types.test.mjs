// index.d.ts type-checks under `tsc --strict` against test/types/usage.ts (the package imported by name, as a
// user's TypeScript project does). TypeScript is installed by `make js-test` into target/js-tsc (COUNTERMARK_TSC
// names its tsc), never into js/.
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./helpers.mjs";

const TSC = process.env.COUNTERMARK_TSC;

test("index.d.ts: a user's TypeScript type-checks under --strict", { skip: TSC ? false : "COUNTERMARK_TSC is not set (make js-test installs TypeScript)" }, () => {
  const work = mkdtempSync(join(tmpdir(), "countermark-js-types-"));
  try {
    mkdirSync(join(work, "node_modules"));
    symlinkSync(join(REPO, "js"), join(work, "node_modules", "countermark"));
    copyFileSync(join(REPO, "js", "test", "types", "usage.ts"), join(work, "usage.ts"));
    const r = spawnSync(process.execPath, [TSC, "--noEmit", "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
      "--target", "es2022", "--lib", "es2022,dom", "usage.ts"], { cwd: work, encoding: "utf8" });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
