// The package's own surface: error classes for every core error kind, defaults left to the core, options
// checked by name, the TypeScript declarations matching the exports, and a round trip per scheme.
import test from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as cm from "countermark";
import { REPO } from "./helpers.mjs";

const KINDS = {
  malformed: [cm.Malformed, 200, cm.InvalidToken],
  too_large: [cm.TooLarge, 201, cm.Malformed],
  expired: [cm.Expired, 301, cm.InvalidToken],
  not_yet_valid: [cm.NotYetValid, 302, cm.InvalidToken],
  bad_signature: [cm.BadSignature, 300, cm.InvalidToken],
  unknown_key: [cm.UnknownKey, 102, cm.InvalidToken],
  replayed: [cm.Replayed, 303, cm.InvalidToken],
  unsupported_algorithm: [cm.UnsupportedAlgorithm, 101, cm.InvalidToken],
  invalid_key: [cm.InvalidKey, 100, cm.ConfigurationError],
  invalid_value: [cm.InvalidValue, 202, cm.ConfigurationError],
  unavailable: [cm.Unavailable, 400, cm.CountermarkError],
};

test("every error kind of the core throws its class, with the code and reason of the other languages", () => {
  assert.deepEqual(cm.__errorKinds().sort(), Object.keys(KINDS).sort());
  for (const [reason, [Class, code, Parent]] of Object.entries(KINDS)) {
    assert.throws(() => cm.__raiseKind(reason), (e) => {
      assert.equal(e.constructor, Class, reason);
      assert.ok(e instanceof Parent && e instanceof cm.CountermarkError && e instanceof Error, reason);
      assert.equal(e.code, code, reason);
      assert.equal(e.reason, reason);
      assert.equal(e.name, Class.name);
      assert.equal(e.message, `test error of kind ${reason}`);
      return true;
    });
  }
});

test("the codes are the C ABI's (the Python exception classes carry the same)", () => {
  const py = readFileSync(join(REPO, "python/python/countermark/exceptions.py"), "utf8");
  for (const [reason, [Class, code]] of Object.entries(KINDS)) {
    const m = py.match(new RegExp(`class ${Class.name}\\([^)]*\\):[\\s\\S]*?code = (\\d+)\\s+reason = "([a-z_]+)"`));
    assert.ok(m, Class.name);
    assert.deepEqual([Number(m[1]), m[2]], [code, reason], Class.name);
  }
});

test("a policy built with no options describes itself as the core's default", () => {
  const defaults = cm.policyDefaults();
  assert.equal(defaults.length, 4);
  for (const p of [new cm.FostPolicy(), new cm.HmacHeaderPolicy(), new cm.MessagePolicy(), new cm.JwtPolicy()]) {
    assert.ok(defaults.includes(p.describe()), p.describe());
  }
  // A value given reaches the core.
  assert.match(new cm.FostPolicy({ clockSkew: 7 }).describe(), /clock_skew=7s/);
  assert.match(new cm.HmacHeaderPolicy({ maxAge: 9 }).describe(), /max_age=9s/);
  assert.match(new cm.MessagePolicy({ maxAge: null }).describe(), /max_age=(none|off|unlimited)/);
  assert.equal(cm.NonceStore.memory().capacity, cm.NonceStore.DEFAULT_CAPACITY);
});

test("options are checked by name and type", () => {
  assert.throws(() => new cm.FostPolicy({ clock_skew: 5 }), (e) => e instanceof TypeError && /clockSkew/.test(e.message));
  assert.throws(() => new cm.JwtPolicy({ clockSkew: "5" }), TypeError);
  assert.throws(() => new cm.HmacHeaderPolicy({ maxAge: -1 }), cm.InvalidValue);
  assert.throws(() => new cm.FostPolicy({ nonceStore: {} }), TypeError);
  assert.throws(() => new cm.Tokens("not a key"), TypeError);
  assert.throws(() => new cm.HmacKey("a secret of 16+ bytes", "sha256"), cm.InvalidValue);
  assert.throws(() => new cm.HmacKey("short", "hmac-sha256"), cm.InvalidKey);
});

test("objects given in options stay usable (the binding copies them)", () => {
  const store = cm.NonceStore.memory(10);
  const clock = cm.Clock.fixed(1_700_000_000);
  const a = new cm.JwtPolicy({ clock, nonceStore: store });
  const b = new cm.JwtPolicy({ clock, nonceStore: store });
  const key = cm.SigningKey.fromPem(ED25519_PEM);
  const token = cm.signJwt(key, "alice", { clock });
  assert.equal(cm.verifyJwt(token, [key.verifyingKey], a).user, "alice");
  // The two policies share the store: the nonce is spent.
  assert.throws(() => cm.verifyJwt(token, [key.verifyingKey], b), cm.Replayed);
  assert.equal(clock.now(), 1_700_000_000);
  assert.ok(store.capacity >= 10);
});

test("the TypeScript declarations name exactly the package's exports", () => {
  const dts = readFileSync(join(REPO, "js/index.d.ts"), "utf8");
  const declared = new Set([...dts.matchAll(/^export (?:declare )?(?:class|function) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]));
  const exported = new Set(Object.keys(cm).filter((n) => !n.startsWith("__") && n !== "default"));
  assert.deepEqual([...exported].filter((n) => !declared.has(n)).sort(), [], "exported but not declared");
  assert.deepEqual([...declared].filter((n) => !exported.has(n)).sort(), [], "declared but not exported");
});

test("import and require give the same module instance (one WebAssembly instance, one set of classes)", async () => {
  const { createRequire } = await import("node:module");
  const required = createRequire(import.meta.url)("countermark");
  assert.equal(required.HmacKey, cm.HmacKey);
  assert.equal(required.BadSignature, cm.BadSignature);
});

test("each scheme: signed requests verify, tampered ones are refused with the exact error", () => {
  const clock = cm.Clock.fixed(1_700_000_000);
  const url = "https://api.example/orders/?page=2";
  const body = JSON.stringify({ item: "book", qty: 1 });
  const headers = [["Content-Type", "application/json"]];
  const request = (extra, b = body) => cm.Request.fromUrl("POST", url, { headers: [...headers, ...extra], body: b });

  // FOST
  const fostKey = new cm.HmacKey("fost secret value", "hmac-sha1");
  const fost = new cm.FostSigner("key-1", fostKey, { clock }).sign(request([]), ["Content-Type"]);
  const fostPolicy = new cm.FostPolicy({ clock });
  assert.equal(cm.verifyFost(request(fost.headers), fostKey, fostPolicy).keyId, "key-1");
  assert.throws(() => cm.verifyFost(request(fost.headers, body.replace("1", "2")), fostKey, fostPolicy), cm.BadSignature);

  // HMAC header
  const secret = cm.ApiSecret.generate();
  const hmac = new cm.HmacHeaderSigner("key-2", secret, "hmac-sha256", { clock }).sign(request([]));
  const hmacPolicy = new cm.HmacHeaderPolicy({ clock: cm.Clock.fixed(1_700_000_001) });
  assert.equal(cm.verifyHmacHeader(request(hmac.headers), secret, hmacPolicy).keyId, "key-2");
  assert.throws(() => cm.verifyHmacHeader(request(hmac.headers, body.replace("1", "2")), secret, hmacPolicy), cm.BadSignature);

  // RFC 9421 with Content-Digest
  const key = cm.SigningKey.fromPem(ED25519_PEM);
  const signer = new cm.MessageSigner(key, { algorithm: "ed25519", clock, randomNonces: true });
  const sig = signer.signWithDefaultCoverage(request([]));
  assert.deepEqual(sig.headers.map(([n]) => n), ["Content-Digest", "Signature-Input", "Signature"]);
  const vk = cm.MessageVerifyingKey.public(key.verifyingKey, "ed25519");
  const policy = () => new cm.MessagePolicy({ clock, checkContentDigest: true, requireBodyDigest: true });
  const verified = cm.verifyMessageSignature(request(sig.headers), vk, policy());
  assert.deepEqual(verified.covered, ["@method", "@authority", "@path", "@query", "content-digest"]);
  assert.throws(() => cm.verifyMessageSignature(request(sig.headers, body.replace("1", "2")), vk, policy()), cm.BadSignature);
  const once = policy();
  cm.verifyMessageSignature(request(sig.headers), vk, once);
  assert.throws(() => cm.verifyMessageSignature(request(sig.headers), vk, once), cm.Replayed);

  // JWT
  const token = cm.signJwt(key, "alice", { clock });
  assert.equal(cm.verifyJwt(token, [key.verifyingKey], new cm.JwtPolicy({ clock })).user, "alice");
  const other = cm.VerifyingKey.decoy("ed25519");
  assert.throws(() => cm.verifyJwt(token, [other], new cm.JwtPolicy({ clock })), cm.BadSignature);
  assert.throws(() => cm.verifyJwt(token, [key.verifyingKey], new cm.JwtPolicy({ clock: cm.Clock.fixed(1_700_000_100) })), cm.Expired);
});

const ED25519_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----
`;
