// Every case of shared/vectors/ska.json (ska 1.11.2) through the JavaScript package; mirrors
// python/tests/test_vectors_ska.py case by case.
import test from "node:test";
import assert from "node:assert/strict";
import { Clock, HmacKey, InvalidToken, UrlSigner } from "countermark";
import { assertThrowsExpect, hex, vectorSuite } from "./helpers.mjs";

const ALGORITHMS = {
  Signature: "hmac-sha1",
  HMACSHA1Signature: "hmac-sha1",
  HMACSHA224Signature: "hmac-sha224",
  HMACSHA256Signature: "hmac-sha256",
  HMACSHA384Signature: "hmac-sha384",
  HMACSHA512Signature: "hmac-sha512",
};

/** ska's result codes and messages (SignatureValidationResult.errors). */
const SKA_MESSAGES = { 1: "Invalid signature!", 2: "Signature timestamp expired!" };

function key(c) {
  const alg = ALGORITHMS[c.signature_class];
  assert.ok(alg, `${c.id}: no vector should need signature class ${c.signature_class}`);
  assert.deepEqual(new TextEncoder().encode(c.secret_key), hex(c.secret_key_hex), c.id);
  // ska secrets have no minimum length: the legacy constructor.
  return new HmacKey(c.secret_key, alg, { legacy: true });
}

function paramNames(c) {
  const p = c.param_names;
  if (p === undefined || p === null) return undefined;
  return { signature: p.signature_param, authUser: p.auth_user_param, validUntil: p.valid_until_param, extra: p.extra_param };
}

const namesOrDefault = (c) => paramNames(c) || { signature: "signature", authUser: "auth_user", validUntil: "valid_until", extra: "extra" };

function signer(c, now = c.now) {
  const options = {};
  if (now !== undefined && now !== null) options.clock = Clock.fixed(Number(now));
  const names = paramNames(c);
  if (names) options.paramNames = names;
  return new UrlSigner(key(c), options);
}

/**
 * valid_until as the reference got it. Its str() is what is signed: a Python float (`1378045287.0`) has no
 * JavaScript number that prints the same, so it is given as that text; ints and strings as they are.
 */
function validUntil(c) {
  const [v, t] = [c.valid_until, c.valid_until_type];
  if (t === "str") return v;
  if (t === "int") return v;
  if (t === "float") return Number.isInteger(v) ? `${v}.0` : String(v);
  assert.fail(`${c.id}: valid_until_type ${t}`);
}

function generate(c) {
  const s = signer(c);
  const names = namesOrDefault(c);
  const params = s.signParams(c.auth_user, { validUntil: validUntil(c), extra: c.extra });
  if ("signature" in c) assert.equal(params[names.signature], c.signature, c.id);
  assert.equal(params[names.authUser], c.auth_user, c.id);
  assert.equal(params[names.validUntil], String(validUntil(c)), c.id);
  assert.equal(params[names.extra], Object.keys(c.extra).sort().join(","), c.id);
  if (c.op === "sign_url") {
    const url = s.signUrl(c.url, c.auth_user, { validUntil: validUntil(c), extra: c.extra, suffix: c.suffix });
    assert.equal(url, c.signed_url, c.id);
    const native = s.signUrl(c.url, c.auth_user, { validUntil: validUntil(c), extra: c.extra });
    assert.equal(native, c.signed_url, c.id);
  }
  if (c.op === "signature_to_dict") {
    assert.deepEqual(params, c.signature_dict, c.id);
    assert.deepEqual(Object.keys(params), Object.keys(c.signature_dict), `${c.id}: key order`);
  }
  // What we generate validates (while it has not expired).
  const before = signer(c, 1_000_000_000);
  assert.equal(before.validate(params).authUser, c.auth_user, c.id);
  if (c.op === "sign_url") assert.equal(before.validateUrl(c.signed_url).authUser, c.auth_user, c.id);
}

function validate(c) {
  const s = signer(c);
  const names = namesOrDefault(c);
  const input = c.data;
  const { data, failures } = s.validationReport(input);
  if (c.expect === "valid") {
    assert.deepEqual(failures, [], c.id);
    const got = s.validate(input);
    assert.equal(got.authUser, input[names.authUser], c.id);
    assert.equal(got.validUntil, input[names.validUntil], c.id);
    const listed = (input[names.extra] || "").split(",").filter((k) => k);
    const want = Object.fromEntries(listed.filter((k) => k in input).map((k) => [k, input[k]]));
    assert.deepEqual({ ...got.extra }, want, c.id);
    assert.equal(data.authUser, got.authUser, c.id);
    return;
  }
  if (c.expect === "error") {
    assert.equal(data, null, `${c.id}: the reference crashed; expected a rejection`);
    assertThrowsExpect(c.id, "error", () => s.validate(input));
    return;
  }
  const want = c.errors.map((e) => [e.code, e.message]);
  for (const [code, message] of want) assert.equal(SKA_MESSAGES[code], message, c.id);
  assert.equal(data, null, c.id);
  assert.deepEqual(failures.map((f) => [f.code, f.message]), want, c.id);
  if (c.expect === "bad_signature+expired") {
    assert.deepEqual(want.map(([code]) => code), [1, 2], c.id);
    const err = assertThrowsExpect(c.id, "rejected", () => s.validate(input));
    assert.ok(err instanceof InvalidToken);
  } else {
    const err = assertThrowsExpect(c.id, c.expect, () => s.validate(input));
    assert.equal(err.message, want.map(([, m]) => m).join(" "), c.id);
  }
}

vectorSuite(test, "ska.json", 26, {
  generate_signature: generate,
  sign_url: generate,
  signature_to_dict: generate,
  validate,
});

test("ska: the JavaScript value dumper and quoter are the core's (ska's JavaScript port)", () => {
  const key = new HmacKey("a secret of 16+ bytes", "hmac-sha256");
  const clock = Clock.fixed(1_700_000_000);
  const python = new UrlSigner(key, { clock });
  const js = new UrlSigner(key, { clock, valueDumper: "javascript", quoter: "javascript" });
  assert.equal(python.valueDumper, "python");
  assert.equal(python.quoter, "python");
  assert.equal(js.valueDumper, "javascript");
  assert.equal(js.quoter, "javascript");
  // A nested value and a '/' are where the two helpers differ: the signatures differ, each validates itself only.
  const extra = { path: "/a/b", tags: ["x", 1] };
  const p = python.signParams("alice", { validUntil: 1_700_000_600, extra });
  const j = js.signParams("alice", { validUntil: 1_700_000_600, extra });
  assert.notEqual(p.signature, j.signature);
  assert.equal(js.validate(j).authUser, "alice");
  assert.equal(js.validate(j).extra.tags, '["x",1]');
  assert.equal(python.validate(p).extra.tags, "['x', 1]");
  assertThrowsExpect("javascript helpers", "bad_signature", () => python.validate(j));
  assert.throws(() => new UrlSigner(key, { quoter: "php" }), (e) => e.reason === "invalid_value");
});
