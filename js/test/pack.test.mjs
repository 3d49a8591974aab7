// `npm pack` gives a tarball that installs into an empty directory and works with both `import` and `require`
// (the README's Node example runs from there), carrying only the package's files.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./helpers.mjs";
import { readmeBlocks } from "./readme.mjs";

const npm = (args, cwd) => execFileSync("npm", [...args, "--no-audit", "--no-fund", "--loglevel=error"], { cwd, encoding: "utf8" });
const node = (args, cwd) => execFileSync(process.execPath, args, { cwd, encoding: "utf8" });

test("npm pack: the tarball installs into an empty directory and works with import and require", { timeout: 120_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), "countermark-js-pack-"));
  try {
    const packed = JSON.parse(npm(["pack", "--json", "--pack-destination", work], join(REPO, "js")));
    const files = packed[0].files.map((f) => f.path).sort();
    assert.deepEqual(files, [
      "dist/browser.mjs", "dist/clients.cjs", "dist/clients.mjs", "dist/errors.cjs", "dist/errors.mjs",
      "dist/index.cjs", "dist/index.d.ts", "dist/index.mjs", "dist/node/countermark.cjs", "dist/web/countermark.js",
      "dist/web/countermark_bg.wasm", "package.json",
    ]);
    const tarball = join(work, packed[0].filename);
    const app = join(work, "app");
    execFileSync("mkdir", [app]);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "app", version: "1.0.0", private: true }));
    npm(["install", "--offline", tarball], app);
    assert.deepEqual(readdirSync(join(app, "node_modules")).filter((f) => !f.startsWith(".")), ["countermark"], "no runtime dependencies");

    const cjs = node(["-e", `
      const cm = require("countermark");
      const key = new cm.HmacKey("a secret of 16+ bytes", "hmac-sha256");
      const t = new cm.Tokens(key);
      const tok = t.create(["a"]);
      try { t.verify(tok.replace(/.$/, tok.endsWith("0") ? "1" : "0")); } catch (e) {
        console.log(require.resolve("countermark"), e instanceof cm.BadSignature, e.reason, t.verify(tok).fields.join());
      }`], app);
    assert.match(cjs, /node_modules\/countermark\/dist\/index\.cjs true bad_signature a\n$/);

    const esm = node(["--input-type=module", "-e", `
      import { Tokens, HmacKey, BadSignature, version } from "countermark";
      import * as all from "countermark";
      const t = new Tokens(new HmacKey("a secret of 16+ bytes", "hmac-sha256"));
      console.log(version(), t.verify(t.create(["b"])).fields.join(), typeof BadSignature, typeof all.default);`], app);
    assert.match(esm, /^\d+\.\d+\.\d+ b function object\n$/);

    // The README's Node example, from the installed package.
    const blocks = readmeBlocks("js");
    assert.equal(blocks.length, 1, "one Node example in the README");
    writeFileSync(join(app, "readme.mjs"), blocks[0]);
    node(["readme.mjs"], app);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
