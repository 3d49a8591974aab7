// Every case of shared/vectors/rfc9421.json (RFC 9421 Appendix B and cases generated with
// http-message-signatures 3.0.0; RFC 9530 Content-Digest) through the JavaScript package; mirrors
// python/tests/test_vectors_rfc9421.py case by case. `missing_component` -> Malformed, `bad_digest` -> BadSignature.
import test from "node:test";
import assert from "node:assert/strict";
import {
  BadSignature, Clock, HmacKey, MessagePolicy, MessageSigner, MessageVerifyingKey, Request, Response, SigningKey,
  UnknownKey, VerifyingKey, contentDigest, parseMessageSignature, parseResponseSignature, verifyContentDigest,
  verifyMessageSignature, verifyResponseSignature,
} from "countermark";
import { assertThrowsExpect, checkServer, hex, loadVectors, unb64, utf8, vectorSuite } from "./helpers.mjs";

const FILE = "rfc9421.json";
const DETERMINISTIC = new Set(["hmac-sha256", "ed25519", "rsa-v1_5-sha256"]);
const RANDOMISED = new Set(["rsa-pss-sha512", "ecdsa-p256-sha256"]);
const EXPECT_ALIASES = { missing_component: "malformed", bad_digest: "bad_signature" };
const KNOWN_EXPECTS = new Set([
  "valid", "bad_signature", "expired", "not_yet_valid", "unsupported_algorithm", "malformed", "unknown_key",
  "missing_component", "bad_digest",
]);

const docKeys = () => loadVectors(FILE).keys;

function hmacKey(entry) {
  const secret = hex(entry.secret_hex);
  assert.deepEqual(unb64(entry.secret_b64), secret);
  return new HmacKey(secret, "hmac-sha256");
}

/** The verifier's key for `keyid`, bound to the verifier's algorithm (see the Python test). */
function verifyingKey(keyid, alg) {
  const keys = docKeys();
  let entry = keys[keyid];
  if (entry === undefined) throw new UnknownKey(`no key ${keyid}`);
  if (entry.algorithm !== alg) entry = Object.values(keys).find((k) => k.algorithm === alg && "public_pem" in k);
  if (alg === "hmac-sha256") return MessageVerifyingKey.hmac(hmacKey(entry));
  return MessageVerifyingKey.public(VerifyingKey.fromPem(entry.public_pem), alg);
}

/** A fresh policy per verification (its default nonce store is its own). */
function policy(c, checkContentDigest) {
  const v = c.verifier;
  return new MessagePolicy({
    clock: Clock.fixed(Number(v.now)),
    clockSkew: v.max_clock_skew_seconds,
    maxAge: v.max_age_seconds,
    label: c.label,
    checkContentDigest: checkContentDigest === undefined ? Boolean(c.body_check) : checkContentDigest,
  });
}

function requestOf(m, extra = []) {
  assert.equal(m.type, "request");
  return new Request(m.method, m.url, { headers: [...m.headers, ...extra], body: utf8(m.body) });
}

function messageOf(m, extra = []) {
  if (m.type === "request") return requestOf(m, extra);
  assert.equal(m.type, "response");
  return new Response(m.status, { headers: [...m.headers, ...extra], body: utf8(m.body), request: requestOf(m.request) });
}

const isResponse = (msg) => msg instanceof Response;
const parse = (msg, label) => (isResponse(msg) ? parseResponseSignature(msg, label) : parseMessageSignature(msg, label));
const verifyWith = (msg, key, pol) =>
  isResponse(msg) ? verifyResponseSignature(msg, key, pol) : verifyMessageSignature(msg, key, pol);
const signedMessage = (c, input, signature) =>
  messageOf(c.message, [["Signature-Input", input], ["Signature", signature]]);

function verifyMessage(c, msg, pol) {
  const creds = parse(msg, c.label);
  assert.notEqual(creds, null, `${c.id}: the message has no signature`);
  return verifyWith(msg, verifyingKey(creds.keyId, c.verifier.algorithm), pol || policy(c));
}

/** A covered component as the binding reports it: the structured-field quotes around the name dropped. */
function componentName(serialized) {
  if (!serialized.startsWith('"')) return serialized;
  const end = serialized.indexOf('"', 1);
  return serialized.slice(1, end) + serialized.slice(end + 1);
}

const details = (obj) => Object.fromEntries(obj.details);

function sign(c) {
  const entry = docKeys()[c.key_id];
  const alg = c.algorithm;
  assert.equal(entry.algorithm, alg, c.id);
  const key = alg === "hmac-sha256" ? hmacKey(entry) : SigningKey.fromPem(entry.private_pem);
  const params = c.params;
  if ("alg" in params) assert.equal(params.alg, alg, c.id);
  const options = {
    algorithm: alg, label: c.label, components: c.covered_components, created: params.created, keyId: c.key_id,
    includeAlg: "alg" in params,
  };
  for (const name of ["expires", "nonce", "tag"]) if (name in params) options[name] = params[name];
  const signer = new MessageSigner(key, options);
  const msg = messageOf(c.message);
  const signed = isResponse(msg) ? signer.signResponse(msg) : signer.sign(msg);
  assert.equal(signed.signedString, c.signature_base, c.id);
  assert.ok(
    c.signature_base.endsWith(`\n"@signature-params": ${c.signature_params}`) ||
      c.signature_base === `"@signature-params": ${c.signature_params}`,
    c.id,
  );
  assert.deepEqual(signed.headers.map(([n]) => n), ["Signature-Input", "Signature"], c.id);
  const [input, signature] = [signed.headers[0][1], signed.headers[1][1]];
  assert.equal(input, c.signature_input, c.id);
  assert.equal(input, `${c.label}=${c.signature_params}`, c.id);
  assert.equal(signature, signed.signature, c.id);
  assert.ok(signature.startsWith(`${c.label}=:`) && signature.endsWith(":"), c.id);
  if (DETERMINISTIC.has(alg)) {
    assert.equal(c.deterministic, true, c.id);
    assert.equal(signature, c.signature_header, c.id);
    assert.equal(signature, `${c.label}=:${c.signature_b64}:`, c.id);
  } else {
    assert.ok(RANDOMISED.has(alg), `${c.id}: unknown algorithm ${alg}`);
    assert.equal(c.deterministic, false, c.id);
    assert.notEqual(signature, c.signature_header, c.id);
  }
  return [input, signature];
}

function checkClaims(c, creds) {
  const p = c.params;
  const d = details(creds);
  assert.equal(creds.scheme, "rfc9421", c.id);
  assert.equal(d.label, c.label, c.id);
  assert.equal(creds.keyId, c.key_id, c.id);
  assert.equal(creds.created, p.created, c.id);
  assert.equal(creds.algorithm, "alg" in p ? p.alg : null, c.id);
  assert.equal(d.expires, "expires" in p ? String(p.expires) : undefined, c.id);
  assert.equal(d.nonce, p.nonce, c.id);
  assert.equal(d.tag, p.tag, c.id);
  assert.deepEqual(creds.details.filter(([k]) => k === "component").map(([, v]) => v), c.covered_components.map(componentName), c.id);
}

function checkVerified(c, verified) {
  const p = c.params;
  const d = details(verified);
  assert.equal(verified.scheme, "rfc9421", c.id);
  assert.equal(d.label, c.label, c.id);
  assert.equal(verified.keyId, c.key_id, c.id);
  assert.equal(verified.algorithm, c.verifier.algorithm, c.id);
  assert.deepEqual(verified.covered, c.covered_components.map(componentName), c.id);
  assert.equal(verified.created, p.created, c.id);
  assert.equal(d.expires, "expires" in p ? String(p.expires) : undefined, c.id);
  assert.equal(d.nonce, p.nonce, c.id);
  assert.equal(d.tag, p.tag, c.id);
}

/** A copy of `header` (`label=:base64:`) with one bit of the decoded signature flipped. */
function flipSignatureBit(header) {
  const i = header.indexOf("=");
  const sig = Buffer.from(header.slice(i + 1).replace(/:/g, ""), "base64");
  sig[0] ^= 1;
  return `${header.slice(0, i)}=:${sig.toString("base64")}:`;
}

vectorSuite(test, FILE, 27, {
  sign(c) {
    const [input, signature] = sign(c);
    // Our own signature verifies, and so does the published one.
    for (const sig of [signature, c.signature_header]) {
      const msg = signedMessage(c, input, sig);
      checkClaims(c, parse(msg, c.label));
      checkVerified(c, verifyMessage(c, msg));
    }
  },
  verify(c) {
    assert.ok(KNOWN_EXPECTS.has(c.expect), `${c.id}: unexpected expect ${c.expect}`);
    if ("covered_components" in c) {
      const [input, signature] = sign(c);
      checkVerified(c, verifyMessage(c, signedMessage(c, input, signature)));
    }
    const msg = signedMessage(c, c.signature_input, c.signature_header);
    if ("signature_base" in c) checkClaims(c, parse(msg, c.label));
    const got = checkServer(c.id, EXPECT_ALIASES[c.expect] || c.expect, () => parse(msg, c.label), (creds) =>
      verifyWith(msg, verifyingKey(creds.keyId, c.verifier.algorithm), policy(c)),
    );
    if (c.expect === "valid") {
      if ("covered_components" in c) checkVerified(c, got[1]);
      // Its negative twin: one flipped bit of the signature is refused.
      const flipped = signedMessage(c, c.signature_input, flipSignatureBit(c.signature_header));
      assertThrowsExpect(c.id, "bad_signature", () => verifyMessage(c, flipped));
    } else if (c.expect === "bad_digest") {
      // The headers themselves verify: only the body check fails.
      const verified = verifyMessage(c, msg, policy(c, false));
      assert.equal(details(verified).body_checked, "false", c.id);
    }
  },
  content_digest(c) {
    const body = utf8(c.body);
    assert.equal(body.length, c.body_length, c.id);
    const value = contentDigest(body, [c.algorithm]);
    assert.equal(value, c.content_digest, c.id);
    verifyContentDigest(value, body);
    assert.throws(() => verifyContentDigest(value, utf8(`${c.body} `)), BadSignature);
  },
});
