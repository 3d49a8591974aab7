// Every case of shared/vectors/asym_jwt.json (asymmetric-jwt-auth 1.3.0 with PyJWT 2.15.1) through the
// JavaScript package; mirrors python/tests/test_vectors_asym_jwt.py case by case.
import test from "node:test";
import assert from "node:assert/strict";
import {
  Clock, JwtPolicy, NonceStore, Request, SigningKey, VerifyingKey, parseJwt, parseJwtRequest, signJwt, verifyJwt,
} from "countermark";
import { assertThrowsExpect, loadVectors, vectorSuite } from "./helpers.mjs";

const FILE = "asym_jwt.json";
const EXPECTED_OPS = { middleware: 4, replay: 1, sign: 3, verify: 13 };
const KNOWN_EXPECTS = new Set([
  "valid", "bad_signature", "expired", "not_yet_valid", "unsupported_algorithm", "malformed", "replayed", "rejected",
  "error", "not_applicable",
]);
/** The JWS `alg` of the vectors (the wire spelling) -> the one spelling results carry (`algorithm`). */
const ALGORITHM_OF_JWS = {
  EdDSA: "ed25519", RS256: "rsa-v1_5-sha256", RS384: "rsa-v1_5-sha384", RS512: "rsa-v1_5-sha512",
  PS512: "rsa-pss-sha512", ES256: "ecdsa-p256-sha256",
};

const b64urlDecode = (text) => Buffer.from(text, "base64url").toString("utf8");
const b64url = (text) => Buffer.from(text, "utf8").toString("base64url");

let KEYS;
function keys() {
  if (!KEYS) {
    KEYS = {};
    for (const [name, k] of Object.entries(loadVectors(FILE).keys)) {
      const sk = SigningKey.fromPem(k.private_pem);
      const pk = VerifyingKey.fromPem(k.public_pem);
      assert.equal(pk.keyId, k.kid, name);
      assert.equal(pk.fingerprint, k.kid, name);
      assert.equal(sk.keyId, k.kid, name);
      assert.equal(sk.verifyingKey.keyId, k.kid, name);
      KEYS[name] = [sk, pk];
    }
  }
  return KEYS;
}

function key(c, field) {
  const k = keys()[c[field]];
  assert.ok(k, `${c.id}: no key ${c[field]} in the file's keys`);
  return k;
}

function policy(now, nonceStore) {
  return new JwtPolicy(nonceStore ? { clock: Clock.fixed(Number(now)), nonceStore } : { clock: Clock.fixed(Number(now)) });
}

function check(c, expect, fn) {
  assert.ok(KNOWN_EXPECTS.has(expect) && expect !== "not_applicable", `${c.id}: unexpected expect ${expect}`);
  if (expect !== "valid") {
    assert.ok(c.reference_result === undefined || c.reference_result === null, `${c.id}: the reference accepted it`);
    assertThrowsExpect(c.id, expect, fn);
    return null;
  }
  const verified = fn();
  const want = c.reference_result;
  if (typeof want === "string") {
    assert.equal(verified.user, want, c.id);
  } else {
    assert.equal(verified.user, want.username, c.id);
    assert.equal(verified.created, want.time, c.id);
  }
  assert.equal(verified.scheme, "jwt", c.id);
  return verified;
}

const userKeys = (c, username) => (c.users[username] || []).map((name) => keys()[name][1]);

vectorSuite(test, FILE, 21, {
  sign(c) {
    const [sk] = key(c, "key");
    assert.equal(sk.keyId, c.kid, c.id);
    const token = signJwt(sk, c.username, { time: c.timestamp, nonce: c.nonce });
    assert.equal(token, c.jwt, c.id);
    const signingInput = token.slice(0, token.lastIndexOf("."));
    const signature = token.slice(token.lastIndexOf(".") + 1);
    assert.equal(signingInput, c.signing_input, c.id);
    const [headerB64, payloadB64] = signingInput.split(".");
    assert.equal(b64urlDecode(headerB64), c.header_json, c.id);
    assert.equal(b64urlDecode(payloadB64), c.payload_json, c.id);
    assert.equal(signingInput, `${b64url(c.header_json)}.${b64url(c.payload_json)}`, c.id);
    assert.equal(signature, c.signature_b64url, c.id);
    assert.equal(`JWT ${token}`, c.authorization, c.id);
    // The claims, unverified, from the token and from the Authorization header.
    const creds = parseJwt(token);
    const parsed = parseJwtRequest(new Request("GET", "/", { headers: [["Authorization", c.authorization]] }));
    assert.notEqual(parsed, null, c.id);
    assert.equal(parsed.token, token, c.id);
    for (const x of [creds, parsed.credentials]) {
      assert.equal(x.scheme, "jwt", c.id);
      assert.equal(x.user, c.username, c.id);
      assert.equal(Object.fromEntries(x.details).nonce, c.nonce, c.id);
      assert.equal(x.keyId, c.kid, c.id);
      assert.equal(x.algorithm, ALGORITHM_OF_JWS[c.alg], c.id);
      assert.equal(x.created, c.timestamp, c.id);
    }
    // The reference verified each signed token at the signing time.
    const [, pk] = key(c, "verify_key");
    const verified = check(c, c.expect, () => verifyJwt(token, [pk], policy(c.now)));
    if (verified !== null) {
      assert.equal(verified.algorithm, ALGORITHM_OF_JWS[c.alg], c.id);
      assert.equal(verified.keyId, c.kid, c.id);
      assert.equal(Object.fromEntries(verified.details).nonce, c.nonce, c.id);
    }
  },
  verify(c) {
    const [, pk] = key(c, "verify_key");
    check(c, c.expect, () => verifyJwt(c.jwt, [pk], policy(c.now)));
  },
  replay(c) {
    const [, pk] = key(c, "verify_key");
    const store = NonceStore.memory(1000);
    const v = verifyJwt(c.jwt, [pk], policy(c.now, store));
    assert.equal(v.user, c.first_result.username, c.id);
    assert.equal(Math.trunc(v.created), c.first_result.time, c.id);
    assert.equal(c.second_result, null, c.id);
    assert.equal(c.expect, "replayed", c.id);
    check(c, "replayed", () => verifyJwt(c.jwt, [pk], policy(c.second_now, store)));
  },
  middleware(c) {
    const request = new Request("GET", "/", { headers: [["Authorization", c.authorization]] });
    if (c.expect === "not_applicable") {
      assert.equal(parseJwtRequest(request), null, c.id);
      assert.equal(c.reference_result, null, c.id);
      return;
    }
    if (["rejected", "malformed", "error"].includes(c.expect)) {
      // Refused while parsing the header, or by the key check: either is the rejection.
      assert.equal(c.reference_result, null, c.id);
      assertThrowsExpect(c.id, c.expect, () => {
        const parsed = parseJwtRequest(request);
        assert.notEqual(parsed, null, `${c.id}: parseJwtRequest returned null (not applicable)`);
        return verifyJwt(parsed.token, userKeys(c, parsed.credentials.user), policy(c.now));
      });
      return;
    }
    const parsed = parseJwtRequest(request);
    assert.notEqual(parsed, null, `${c.id}: parseJwtRequest returned null for a JWT header`);
    check(c, c.expect, () => verifyJwt(parsed.token, userKeys(c, parsed.credentials.user), policy(c.now)));
  },
});

test("asym_jwt: the ops of the file", () => {
  const counts = {};
  for (const c of loadVectors(FILE).cases) counts[c.op] = (counts[c.op] || 0) + 1;
  assert.deepEqual(counts, EXPECTED_OPS);
});
