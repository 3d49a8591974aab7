// Every case of shared/vectors/hmac_header.json (django-hmac-authentication 5.0.3) through the JavaScript
// package; mirrors python/tests/test_vectors_hmac_header.py case by case.
import test from "node:test";
import assert from "node:assert/strict";
import {
  ApiSecret, Clock, HmacHeaderPolicy, HmacHeaderSigner, InvalidKey, Request, UnknownKey, parseHmacHeader,
  verifyHmacHeader,
} from "countermark";
import { checkServer, hex, unb64, vectorSuite } from "./helpers.mjs";

const OUTCOMES = new Set([
  "valid", "not_applicable", "bad_signature", "expired", "not_yet_valid", "malformed", "unsupported_algorithm",
  "unknown_key", "revoked_key", "expired_key", "error",
]);

/** The reference's ApiHMACKey table: no such key, a revoked key and a key past expires_at are all UnknownKey. */
class KeyStore {
  constructor(apiKey, serverKey) {
    this.records = serverKey === null || serverKey === undefined ? {} : { [apiKey]: serverKey };
  }
  lookup(apiKey, now) {
    const r = Object.hasOwn(this.records, apiKey) ? this.records[apiKey] : undefined;
    if (r === undefined) throw new UnknownKey(`no key ${apiKey}`);
    if (r.revoked || (r.expires_at !== null && r.expires_at !== undefined && r.expires_at <= now)) {
      throw new UnknownKey(`key ${apiKey} is revoked or expired`);
    }
    return ApiSecret.decryptLegacy(r.cipher_algorithm, r.kd_password, unb64(r.salt_column_b64), unb64(r.secret_column_b64));
  }
}

function serverRequest(check, authorization) {
  const headers = [];
  if (check.content_type !== undefined && check.content_type !== null) headers.push(["Content-Type", check.content_type]);
  if (authorization !== undefined) headers.push(["Authorization", authorization]);
  const body = check.request_body !== undefined && check.request_body !== null ? check.request_body : undefined;
  return new Request(check.http_method, check.path, { headers, body });
}

function server(caseId, request, store, now, maxAge, expect) {
  assert.ok(OUTCOMES.has(expect), `${caseId}: no hmac_header vector should expect ${expect}`);
  if (expect === "revoked_key" || expect === "expired_key") expect = "unknown_key";
  const options = { clock: Clock.fixed(Number(now)) };
  if (maxAge !== undefined && maxAge !== null) options.maxAge = maxAge;
  const policy = new HmacHeaderPolicy(options);
  return checkServer(caseId, expect, () => parseHmacHeader(request), (creds) => {
    const verified = verifyHmacHeader(request, store.lookup(creds.keyId, now), policy);
    assert.equal(verified.keyId, creds.keyId, caseId);
    assert.equal(verified.scheme, "hmac-header", caseId);
    return verified;
  });
}

function apiSecret(c) {
  const secret = new ApiSecret(c.api_secret_b64);
  assert.deepEqual(secret.toBytes(), hex(c.secret_hex), c.id);
  assert.equal(secret.toBase64(), c.api_secret_b64, c.id);
  return secret;
}

function checkServerKey(c, serverKey) {
  if (serverKey === null || serverKey === undefined) return;
  assert.deepEqual(new KeyStore("k", serverKey).lookup("k", 0).toBytes(), hex(c.secret_hex), c.id);
}

vectorSuite(test, "hmac_header.json", 28, {
  sign(c) {
    const secret = apiSecret(c);
    const check = c.server_check;
    // The vectors name the wire's method (`HMAC-SHA256`); the API takes the one spelling (`hmac-sha256`).
    const signer = new HmacHeaderSigner(c.api_key, secret, c.method.toLowerCase());
    const signed = signer.sign(serverRequest(check), { timestamp: c.utc_8601 });
    assert.equal(signed.signedString, c.string_to_sign, c.id);
    const [bodyHash, utc] = [signed.signedString.split(";")[0], signed.signedString.split(";").slice(1).join(";")];
    assert.equal(bodyHash, c.body_hash_b64 || "", c.id);
    assert.equal(utc, c.utc_8601, c.id);
    assert.equal(signed.signature, c.signature, c.id);
    assert.deepEqual(signed.headers, [["Authorization", c.authorization]], c.id);
    // The body as a JavaScript client serialises it (JSON.stringify) gives the same signature: the core
    // canonicalises it the way the Python server re-serialises it.
    if (c.body_json !== null) {
      const client = new Request(check.http_method, check.path, {
        headers: [["Content-Type", "application/json"]],
        body: JSON.stringify(c.body_json),
      });
      assert.equal(signer.sign(client, { timestamp: c.utc_8601 }).signedString, c.string_to_sign, c.id);
    }
    checkServerKey(c, check.server_key);
    const store = new KeyStore(c.api_key, check.server_key);
    const got = server(c.id, serverRequest(check, c.authorization), store, check.now, check.timeout_seconds, check.expect);
    if (got !== null) {
      const [creds] = got;
      assert.equal(creds.keyId, c.api_key, c.id);
      assert.equal(creds.algorithm, c.method.toLowerCase(), c.id);
    }
  },
  verify(c) {
    apiSecret(c);
    checkServerKey(c, c.server_key);
    const store = new KeyStore(c.api_key, c.server_key);
    server(c.id, serverRequest(c, c.authorization), store, c.now, c.timeout_seconds, c.expect);
  },
  secret_at_rest(c) {
    assert.deepEqual([c.cipher_mode, c.kdf, c.kdf_iterations], ["CBC", "PBKDF2-HMAC-SHA256", 1000], c.id);
    const password = hex(c.kd_password_hex);
    assert.deepEqual(password, new TextEncoder().encode(c.kd_password), c.id);
    const salt = hex(c.salt_hex);
    assert.equal(salt.length, 24, c.id);
    assert.deepEqual(unb64(c.salt_b64), salt, c.id);
    assert.deepEqual(unb64(c.salt_column_b64), salt, c.id);
    assert.deepEqual(salt.slice(8), hex(c.iv_hex), c.id);
    const ciphertext = hex(c.ciphertext_hex);
    assert.deepEqual(unb64(c.secret_column_b64), ciphertext, c.id);
    for (const pw of [c.kd_password, password]) {
      const secret = ApiSecret.decryptLegacy(c.cipher_algorithm, pw, salt, ciphertext);
      assert.deepEqual(secret.toBytes(), hex(c.secret_hex), c.id);
      assert.equal(secret.toBase64(), c.api_secret_b64, c.id);
    }
    // A wrong password fails cleanly (padding), or yields other bytes, never the secret.
    try {
      const other = ApiSecret.decryptLegacy(c.cipher_algorithm, "wrong password", salt, ciphertext);
      assert.notDeepEqual(other.toBytes(), hex(c.secret_hex), c.id);
    } catch (e) {
      assert.ok(e instanceof InvalidKey, `${c.id}: ${e}`);
    }
  },
});

test("hmac_header: a body with floats and non-ASCII text signs as the Python server reads it", () => {
  // JSON.stringify writes 1.0 as 1 and keeps é as UTF-8; Django re-serialises with json.dumps (ensure_ascii,
  // floats as Python prints them): the core's canonicalisation makes both the same string to sign.
  const secret = ApiSecret.generate();
  const signer = new HmacHeaderSigner("key-1", secret, "hmac-sha256", { clock: Clock.fixed(1_700_000_000) });
  const sign = (body) =>
    signer.sign(new Request("POST", "/api/", { headers: [["Content-Type", "application/json"]], body }), {
      timestamp: "2023-11-14T22:13:20+00:00",
    }).signedString;
  const js = sign(JSON.stringify({ price: 1.5, name: "café", n: 10 }));
  const python = sign('{"price": 1.5, "name": "caf\\u00e9", "n": 10}');
  assert.equal(js, python);
  const signed = signer.sign(new Request("POST", "/api/", { headers: [["Content-Type", "application/json"]], body: '{"a":1}' }), {
    timestamp: "2023-11-14T22:13:20+00:00",
  });
  const request = new Request("POST", "/api/", {
    headers: [["Content-Type", "application/json"], ...signed.headers],
    body: '{"a": 2}',
  });
  const policy = new HmacHeaderPolicy({ clock: Clock.fixed(1_700_000_001) });
  assert.throws(() => verifyHmacHeader(request, secret, policy), (e) => e.reason === "bad_signature");
});
