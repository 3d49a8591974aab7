// Assembles the npm package in js/dist from wasm-bindgen's two outputs (run by `make js`, after
// `wasm-bindgen --target web --out-dir dist/web` and `--target nodejs --out-dir dist/node`):
//
//   dist/web/countermark.js, countermark_bg.wasm   the ES module glue and the one WebAssembly file
//   dist/node/countermark.cjs                      the CommonJS glue, reading ../web/countermark_bg.wasm
//   dist/index.cjs                                 `require("countermark")` in Node
//   dist/index.mjs                                 `import` in Node: the same module instance as require
//   dist/browser.mjs                               `import` elsewhere (browsers, Deno, workers): fetches the wasm
//   dist/errors.{mjs,cjs}, dist/clients.{mjs,cjs}  lib/*.mjs, and their CommonJS copies
//
// Node gets CommonJS underneath both entry points, so `import` and `require` share one WebAssembly instance
// (and one set of error classes: `instanceof` works across them). Nothing Node-only is on the browser path.

import { readFileSync, writeFileSync, rmSync, copyFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createRequire } from "node:module";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const dist = join(root, "dist");
const write = (name, text) => writeFileSync(join(dist, name), text);

for (const f of ["web/countermark.js", "web/countermark_bg.wasm", "node/countermark.js"]) {
  if (!existsSync(join(dist, f))) throw new Error(`dist/${f} is missing: run wasm-bindgen first (make js)`);
}

// One WebAssembly file: the Node glue reads the browser's copy (wasm-bindgen emits the same bytes for both).
const nodeWasm = join(dist, "node/countermark_bg.wasm");
if (existsSync(nodeWasm)) {
  if (!readFileSync(nodeWasm).equals(readFileSync(join(dist, "web/countermark_bg.wasm")))) {
    throw new Error("wasm-bindgen produced different WebAssembly for web and nodejs");
  }
  rmSync(nodeWasm);
}
const nodeGlue = join(dist, "node/countermark.js");
const glue = readFileSync(nodeGlue, "utf8");
const loader = "const wasmPath = `${__dirname}/countermark_bg.wasm`;";
if (!glue.includes(loader)) throw new Error("unexpected wasm-bindgen nodejs glue: no wasmPath line");
// .cjs: the package is "type": "module", and this glue is CommonJS.
writeFileSync(nodeGlue.replace(/\.js$/, ".cjs"), glue.replace(loader, "const wasmPath = `${__dirname}/../web/countermark_bg.wasm`;"));
rmSync(nodeGlue);
// Our own declarations (index.d.ts) describe the package; wasm-bindgen's would only confuse editors.
for (const f of ["web/countermark.d.ts", "web/countermark_bg.wasm.d.ts", "node/countermark.d.ts", "node/countermark_bg.wasm.d.ts"]) {
  rmSync(join(dist, f), { force: true });
}

// The browser glue's loader tests `instanceof Response` / `instanceof Request` meaning the fetch classes, but the
// package exports classes of those names, which shadow the globals inside the glue: point the loader at the
// globals (two exact lines, checked).
const webGluePath = join(dist, "web/countermark.js");
let webText = readFileSync(webGluePath, "utf8");
for (const [from, to] of [
  ["typeof Response === 'function' && module instanceof Response", "typeof globalThis.Response === 'function' && module instanceof globalThis.Response"],
  ["(typeof Request === 'function' && module_or_path instanceof Request)", "(typeof globalThis.Request === 'function' && module_or_path instanceof globalThis.Request)"],
]) {
  if (webText.split(from).length !== 2) throw new Error(`unexpected wasm-bindgen web glue: ${from}`);
  webText = webText.replace(from, to);
}
writeFileSync(webGluePath, webText);

// lib/*.mjs have no imports, only `export` declarations: their CommonJS copies drop the keyword and list them.
function toCommonJs(source) {
  const names = [...source.matchAll(/^export (?:async )?(?:class|function|const) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]);
  if (/^import /m.test(source)) throw new Error("lib files must not import");
  const body = source.replace(/^export (?=(?:async )?(?:class|function|const) )/gm, "");
  return `"use strict";\n${body}\nmodule.exports = { ${names.join(", ")} };\n`;
}
for (const name of ["errors", "clients"]) {
  const source = readFileSync(join(root, "lib", `${name}.mjs`), "utf8");
  write(`${name}.mjs`, source);
  write(`${name}.cjs`, toCommonJs(source));
}

// The public names of the glue: everything but wasm-bindgen's loader and our `__` hooks.
const webGlue = webText;
const glueNames = [...webGlue.matchAll(/^export (?:class|function) ([A-Za-z_$][\w$]*)/gm)]
  .map((m) => m[1])
  .filter((n) => !n.startsWith("__"));
const hooks = ["__errorKinds", "__raiseKind"];

write(
  "index.cjs",
  `"use strict";
// require("countermark") in Node: the CommonJS glue, the error classes installed, the clients built over both.
if (!globalThis.crypto) globalThis.crypto = require("node:crypto").webcrypto; // Node 18: WebCrypto for randomness
const glue = require("./node/countermark.cjs");
const errors = require("./errors.cjs");
const { __createClients } = require("./clients.cjs");
glue.__setErrorFactory(errors.__makeError);
const api = {};
for (const name of ${JSON.stringify([...glueNames, ...hooks])}) api[name] = glue[name];
for (const [name, value] of Object.entries(errors)) if (name !== "__makeError") api[name] = value;
Object.assign(api, __createClients(api));
module.exports = api;
`,
);

const nodeApi = createRequire(import.meta.url)(join(dist, "index.cjs"));
const publicNames = Object.keys(nodeApi);
write(
  "index.mjs",
  `// import "countermark" in Node: the CommonJS module underneath, so import and require share one instance.
import api from "./index.cjs";
export const { ${publicNames.join(", ")} } = api;
export default api;
`,
);

const errorNames = publicNames.filter((n) => !glueNames.includes(n) && !hooks.includes(n) && /^[A-Z]/.test(n) && !["FostScheme", "HmacHeaderScheme", "HttpSignatureScheme", "JwtScheme"].includes(n));
write(
  "browser.mjs",
  `// import "countermark" in browsers, Deno and workers: the ES module glue, the WebAssembly fetched beside it.
import init, * as glue from "./web/countermark.js";
import * as errors from "./errors.mjs";
import { __createClients } from "./clients.mjs";
await init({ module_or_path: new URL("./web/countermark_bg.wasm", import.meta.url) });
glue.__setErrorFactory(errors.__makeError);
export { ${[...glueNames, ...hooks].join(", ")} } from "./web/countermark.js";
export { ${errorNames.join(", ")} } from "./errors.mjs";
const api = { ...glue, ...errors };
export const { FostScheme, HmacHeaderScheme, HttpSignatureScheme, JwtScheme, signedFetch, installAxiosInterceptor } =
  __createClients(api);
`,
);
copyFileSync(join(root, "index.d.ts"), join(dist, "index.d.ts"));
console.log(`js/dist: ${publicNames.length} exports (${glueNames.length} from the core's bindings)`);
