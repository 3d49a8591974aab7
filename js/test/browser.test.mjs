// The browser test: headless chromium (the Debian package, driven by playwright-core; no browser download)
// opens a page served on loopback that imports the package (`import ... from "countermark"` through an import
// map, the browser build: ES module glue, the wasm fetched beside it), signs an RFC 9421 POST with signedFetch
// and sends it to the example Django service, which answers 200. The page is the README's browser example. The page's server proxies /api/ to Django with
// the Host header kept, so the request is same-origin and the signed @authority is the one Django sees.
import test from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { createServer, request as httpRequest } from "node:http";
import { join, normalize } from "node:path";
import { REPO } from "./helpers.mjs";
import { readmeBlocks } from "./readme.mjs";
import { SKIP_WITHOUT_PYTHON, USER, startService } from "./service.mjs";

const CHROMIUM = process.env.COUNTERMARK_CHROMIUM || "/usr/bin/chromium";
const DIST = join(REPO, "js", "dist");
const TYPES = { ".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm", ".html": "text/html" };

// The page is the README's browser example.
const PAGE = `<!doctype html>\n<meta charset="utf-8">\n<title>countermark in the browser</title>\n<body>\n${readmeBlocks("html")[0]}`;

function serve(djangoBase, credentials) {
  const django = new URL(djangoBase);
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://x");
    if (url.pathname === "/") {
      res.writeHead(200, { "Content-Type": "text/html" }).end(PAGE);
      return;
    }
    if (url.pathname === "/credentials.json") {
      res.writeHead(200, { "Content-Type": "application/json" }).end(JSON.stringify(credentials));
      return;
    }
    const PKG = "/node_modules/countermark/dist/";
    if (url.pathname.startsWith(PKG)) {
      const file = normalize(join(DIST, url.pathname.slice(PKG.length)));
      if (!file.startsWith(DIST) || !existsSync(file)) {
        res.writeHead(404).end();
        return;
      }
      const type = TYPES[file.slice(file.lastIndexOf("."))] || "application/octet-stream";
      res.writeHead(200, { "Content-Type": type }).end(readFileSync(file));
      return;
    }
    // Everything else goes to Django as it came (Host included).
    const upstream = httpRequest(
      { hostname: django.hostname, port: django.port, method: req.method, path: req.url, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode, up.headers);
        up.pipe(res);
      },
    );
    upstream.on("error", (e) => res.writeHead(502).end(String(e)));
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(server)));
}

let skip = SKIP_WITHOUT_PYTHON;
if (!skip && !existsSync(CHROMIUM)) skip = `no chromium at ${CHROMIUM} (apt-get install chromium)`;

test("chromium: a page imports the package, signs an RFC 9421 request, the Django service answers 200", { skip, timeout: 120_000 }, async () => {
  const { chromium } = await import("playwright-core");
  const service = await startService();
  const server = await serve(service.base, { keyId: service.keyId, secret: service.secret });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(String(e)));
    page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
    await page.goto(`http://127.0.0.1:${server.address().port}/`);
    const answered = await page
      .waitForFunction(() => /^\d{3} /.test(document.body.textContent), null, { timeout: 60_000 })
      .catch(() => null);
    const text = await page.evaluate(() => document.body.textContent);
    assert.ok(answered, `the page did not answer: ${JSON.stringify(text)}\n${errors.join("\n")}`);
    const status = Number(text.slice(0, 3));
    const answer = JSON.parse(text.slice(4));
    assert.equal(status, 200, `${text}\n${errors.join("\n")}\n${service.log().slice(-2000)}`);
    assert.equal(answer.user, USER);
    assert.equal(answer.scheme, "rfc9421");
    assert.equal(answer.key_id, service.keyId);
    assert.deepEqual(answer.data, { order: { id: 1, items: ["tea"] } });
    assert.ok(answer.covered.includes("content-digest"), JSON.stringify(answer.covered));
  } finally {
    await browser.close();
    server.close();
    await service.stop();
  }
});
