// `make js-bench`: size and speed of the npm package (never timed tests: figures only, for BENCHMARKS.md).
//
//   size   what a browser loads (the wasm, its glue, the entry module, errors and clients), gzip -9 and brotli
//   hmac   HMAC-header signing of a POST with a 1 KiB JSON body (Request built, body canonicalised, signed)
//          beside node:crypto computing the same string to sign and HMAC from the body as sent (the floor; it
//          skips the canonicalisation, which is only right for a body already in the canonical form), and
//          beside the fair floor that re-serialises the body first as a JavaScript implementation would
//          (JSON.parse + JSON.stringify: the same text for this body, though not Python's form in general:
//          JSON.stringify neither escapes non-ASCII nor writes 1.0 as Python does, so it is a lower bound)
//   9421   RFC 9421 verification of that POST (hmac-sha256; @method @authority @path content-digest; created,
//          keyid) with the Content-Digest checked, beside the http-message-signatures npm package with the digest
//          check added (it does not check the body itself) and beside node:crypto doing the same work by hand
//   ed25519  verification of a 64-byte message beside node:crypto's own
//
// Every pair is checked to produce or accept the same bytes before it is timed. http-message-signatures comes
// from NODE_PATH (the Makefile installs it into target/js-bench, never into js/).
import { createHash, createHmac, createPublicKey, generateKeyPairSync, sign as edSign, verify as edVerify, timingSafeEqual } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import * as cm from "countermark";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "..", "dist");
const results = {};

function report(name, value, unit, note = "") {
  results[name] = { value, unit, note };
  console.log(`${name.padEnd(46)} ${String(value).padStart(10)} ${unit}${note ? `  ${note}` : ""}`);
}

/**
 * Best time per call in microseconds over `rounds` batches of ~50 ms each (best, not median: on a shared machine
 * the slowest batches measure the other jobs). Between batches the event loop turns once, as it does between a
 * server's requests: the WebAssembly memory of the `Request`s a batch dropped is given back by FinalizationRegistry
 * callbacks, which only run then (without it the memory grew through the whole run and a batch's time varied 2-6x
 * with the garbage collector).
 */
async function time(fn, { rounds = 9 } = {}) {
  const turn = () => new Promise((resolve) => setImmediate(resolve));
  for (let i = 0; i < 200; i++) await fn(); // warm-up (JIT, wasm tier-up)
  let n = 1;
  for (;;) {
    await turn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    if (Number(process.hrtime.bigint() - t0) > 50e6) break;
    n *= 2;
  }
  const per = [];
  for (let r = 0; r < rounds; r++) {
    await turn();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) await fn();
    per.push(Number(process.hrtime.bigint() - t0) / n / 1000);
  }
  return Number(Math.min(...per).toFixed(2));
}

// ------------------------------------------------------------------------------------------------------ size
{
  const files = ["web/countermark_bg.wasm", "web/countermark.js", "browser.mjs", "errors.mjs", "clients.mjs"];
  const all = Buffer.concat(files.map((f) => readFileSync(join(dist, f))));
  const wasm = readFileSync(join(dist, "web/countermark_bg.wasm"));
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const br = (b) => brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  // Each file compressed on its own, as a server sends them.
  const sum = (f) => files.reduce((acc, name) => acc + f(readFileSync(join(dist, name))), 0);
  report("size: wasm, raw", (wasm.length / 1024).toFixed(1), "KiB");
  report("size: browser load (wasm + glue + entry), raw", (all.length / 1024).toFixed(1), "KiB");
  report("size: browser load, gzip -9", (sum(gz) / 1024).toFixed(1), "KiB", "target <= 250 KB");
  report("size: browser load, brotli 11", (sum(br) / 1024).toFixed(1), "KiB");
}

// ------------------------------------------------------------------------------------------- shared request
// A 1 KiB JSON body in the compact ASCII form (what the core's canonicalisation gives back unchanged).
const order = { order: { id: 12345, customer: "alice", items: [] }, note: "" };
for (let i = 0; JSON.stringify(order).length < 960; i++) order.order.items.push({ sku: `SKU-${1000 + i}`, qty: i + 1 });
order.note = "x".repeat(1024 - JSON.stringify(order).length);
const bodyJson = JSON.stringify(order);
const bodyBytes = new TextEncoder().encode(bodyJson);

// ---------------------------------------------------------------------------------------- HMAC header sign
{
  const secret = cm.ApiSecret.generate();
  const raw = Buffer.from(secret.toBytes());
  const ts = "2026-12-06T06:00:00+00:00";
  const signer = new cm.HmacHeaderSigner("key-1", secret, "hmac-sha256");
  const headers = [["Content-Type", "application/json"]];
  const ours = () => signer.sign(new cm.Request("POST", "/api/orders/", { headers, body: bodyBytes }), { timestamp: ts }).signature;
  // The floor: the body is already in the canonical form the core would produce (compact, ASCII), so hashing
  // it as it is gives the same string to sign.
  const floor = () => {
    const toSign = `${createHash("sha256").update(bodyBytes).digest("base64")};${ts}`;
    return createHmac("sha256", raw).update(toSign).digest("base64");
  };
  const decoder = new TextDecoder();
  const fairFloor = () => {
    const canonical = JSON.stringify(JSON.parse(decoder.decode(bodyBytes)));
    const toSign = `${createHash("sha256").update(canonical).digest("base64")};${ts}`;
    return createHmac("sha256", raw).update(toSign).digest("base64");
  };
  const request = new cm.Request("POST", "/api/orders/", { headers, body: bodyBytes });
  const prebuilt = () => signer.sign(request, { timestamp: ts }).signature;
  if (ours() !== floor() || fairFloor() !== floor() || prebuilt() !== floor()) {
    throw new Error("HMAC header: countermark and node:crypto disagree");
  }
  const a = await time(ours);
  const b = await time(floor);
  const c = await time(fairFloor);
  const d = await time(prebuilt);
  report(`hmac header sign, ${bodyBytes.length} B JSON: countermark`, a, "us");
  report("hmac header sign: node:crypto floor", b, "us", `ratio ${(a / b).toFixed(2)}x (target <= 2x)`);
  report("hmac header sign: floor + JSON.parse/stringify", c, "us", `ratio ${(a / c).toFixed(2)}x (target <= 2x)`);
  report("hmac header sign: countermark, Request reused", d, "us", `Request construction ${(a - d).toFixed(2)} us`);
}

// --------------------------------------------------------------------------------------------- RFC 9421
{
  const secretBytes = new Uint8Array(32).map((_, i) => i * 7 + 1);
  const key = new cm.HmacKey(secretBytes, "hmac-sha256");
  const created = Math.floor(Date.now() / 1000);
  const signer = new cm.MessageSigner(key, {
    components: ["@method", "@authority", "@path", "content-digest"],
    keyId: "key-1",
    created,
  });
  const url = "https://api.example.com/api/orders/";
  const digest = cm.contentDigest(bodyBytes, ["sha-256"]);
  const base = [["Content-Type", "application/json"], ["Content-Digest", digest]];
  const signed = signer.sign(cm.Request.fromUrl("POST", url, { headers: base, body: bodyBytes }));
  const headerObject = Object.fromEntries([...base, ...signed.headers].map(([n, v]) => [n.toLowerCase(), v]));
  const vk = cm.MessageVerifyingKey.hmac(key);
  const policy = new cm.MessagePolicy({ checkContentDigest: true });
  const ours = () =>
    cm.verifyMessageSignature(cm.Request.fromUrl("POST", url, { headers: headerObject, body: bodyBytes }), vk, policy);
  if (ours().keyId !== "key-1") throw new Error("RFC 9421: countermark refused its own signature");

  // The same verification by hand with node:crypto: the digest, the signature base, one HMAC (the floor).
  const sigB64 = headerObject.signature.match(/=:(.*):$/)[1];
  const params = headerObject["signature-input"].slice(headerObject["signature-input"].indexOf("=") + 1);
  const floor = () => {
    const d = `sha-256=:${createHash("sha256").update(bodyBytes).digest("base64")}:`;
    if (d !== headerObject["content-digest"]) throw new Error("digest");
    const u = new URL(url);
    const baseText = `"@method": POST\n"@authority": ${u.host}\n"@path": ${u.pathname}\n"content-digest": ${headerObject["content-digest"]}\n"@signature-params": ${params}`;
    const mac = createHmac("sha256", secretBytes).update(baseText).digest();
    if (!timingSafeEqual(mac, Buffer.from(sigB64, "base64"))) throw new Error("signature");
    return true;
  };
  floor();

  let theirs = null;
  try {
    const hms = createRequire(join(process.cwd(), "x.js"))("http-message-signatures");
    const verifier = hms.createVerifier(Buffer.from(secretBytes), "hmac-sha256");
    const config = { keyLookup: async () => ({ id: "key-1", algs: ["hmac-sha256"], verify: verifier }) };
    theirs = async () => {
      // The package does not check the body: the Content-Digest check added, as a server would.
      const d = `sha-256=:${createHash("sha256").update(bodyBytes).digest("base64")}:`;
      if (d !== headerObject["content-digest"]) throw new Error("digest");
      const ok = await hms.httpbis.verifyMessage(config, { method: "POST", url, headers: headerObject });
      if (!ok) throw new Error("http-message-signatures refused");
      return ok;
    };
    await theirs();
  } catch (e) {
    console.log(`http-message-signatures not run: ${e.message} (make js-bench installs it)`);
    theirs = null;
  }
  const request = cm.Request.fromUrl("POST", url, { headers: headerObject, body: bodyBytes });
  const prebuilt = () => cm.verifyMessageSignature(request, vk, policy);
  const a = await time(ours);
  const f = await time(floor);
  const p = await time(prebuilt);
  report("rfc9421 verify, 1 KiB POST + digest: countermark", a, "us");
  report("rfc9421 verify: countermark, Request reused", p, "us", `Request construction ${(a - p).toFixed(2)} us`);
  if (theirs) {
    const t = await time(theirs);
    report("rfc9421 verify: http-message-signatures + digest", t, "us", `countermark ${(t / a).toFixed(2)}x faster (target >= 4x)`);
  }
  report("rfc9421 verify: node:crypto floor", f, "us", `ratio ${(a / f).toFixed(2)}x`);
}

// ------------------------------------------------------------------------------------------------- Ed25519
{
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const msg = new Uint8Array(64).map((_, i) => i);
  const sig = edSign(null, msg, privateKey);
  const ours = cm.VerifyingKey.fromPem(publicKey.export({ type: "spki", format: "pem" }));
  const pk = createPublicKey(publicKey.export({ type: "spki", format: "pem" }));
  ours.verify("ed25519", msg, sig);
  if (!edVerify(null, msg, pk, sig)) throw new Error("node:crypto refused");
  const a = await time(() => ours.verify("ed25519", msg, sig));
  const b = await time(() => edVerify(null, msg, pk, sig));
  report("ed25519 verify, 64 B: countermark", a, "us");
  report("ed25519 verify: node:crypto", b, "us", `countermark ${(b / a).toFixed(2)}x as fast (target > 1x)`);
}

const out = process.argv.indexOf("--json");
if (out > 0) writeFileSync(process.argv[out + 1], `${JSON.stringify({ node: process.version, results }, null, 2)}\n`);
