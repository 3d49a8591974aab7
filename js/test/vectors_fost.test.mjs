// Every case of shared/vectors/fost.json (django-fost-authn 0.3.8 port) through the JavaScript package;
// mirrors python/tests/test_vectors_fost.py case by case.
import test from "node:test";
import assert from "node:assert/strict";
import {
  Clock, FostPolicy, FostSigner, FostUrlSigner, HmacKey, Request, parseFost, parseFostUrl, verifyFost, verifyFostUrl,
} from "countermark";
import { b64, checkServer, hex, utf8, vectorSuite } from "./helpers.mjs";

const OUTCOMES = new Set(["valid", "not_applicable", "bad_signature", "expired", "not_yet_valid", "malformed"]);

/** HMAC-SHA1 with the case's secret (FOST secrets have no minimum length: the legacy constructor). */
function key(c) {
  if (c.secret_type === "str") {
    assert.deepEqual(utf8(c.secret), hex(c.secret_hex), c.id);
    return new HmacKey(c.secret, "hmac-sha1", { legacy: true });
  }
  return new HmacKey(hex(c.secret_hex), "hmac-sha1", { legacy: true });
}

function policy(now, clockSkew) {
  const options = { clock: Clock.fixed(Number(now)) };
  if (clockSkew !== undefined && clockSkew !== null) options.clockSkew = clockSkew;
  return new FostPolicy(options);
}

const target = (path, query) => (query ? `${path}?${query}` : path);

const requestWith = (method, tgt, headers, body) =>
  new Request(method, tgt, { headers: [...headers], body: body ? body : undefined });

function check(caseId, expect, parse, verify, request, k, pol) {
  assert.ok(OUTCOMES.has(expect), `${caseId}: no fost vector should expect ${expect}`);
  return checkServer(caseId, expect, () => parse(request), () => verify(request, k, pol));
}

function headerValue(lines, name) {
  const values = lines.filter(([n]) => n.toLowerCase() === name.toLowerCase()).map(([, v]) => v);
  assert.equal(values.length, 1, name);
  return values[0];
}

vectorSuite(test, "fost.json", 27, {
  request_signature(c) {
    const k = key(c);
    const tgt = target(c.path, c.query_string);
    const signedHeaders = c.signed_headers.map(([n, v]) => [n, v]);
    const signer = new FostSigner(c.key, k);
    const signed = signer.sign(requestWith(c.method, tgt, signedHeaders, c.body), signedHeaders.map(([n]) => n), {
      timestamp: c.timestamp,
    });
    assert.equal(signed.signedString, c.document, c.id);
    assert.equal(signed.signature, c.signature, c.id);
    assert.equal(headerValue(signed.headers, "Authorization"), c.authorization, c.id);
    assert.equal(headerValue(signed.headers, "X-FOST-Headers"), c.x_fost_headers, c.id);
    assert.equal(headerValue(signed.headers, "X-FOST-Timestamp"), c.timestamp, c.id);
    const sent = [...signed.headers, ...signedHeaders];
    assert.deepEqual(sent, Object.entries(c.request_headers), c.id);
    // The MAC is over the exact document bytes.
    assert.equal(b64(k.sign(c.document)), c.signature, c.id);

    const server = c.server_check;
    const got = check(c.id, server.expect, parseFost, verifyFost, requestWith(c.method, tgt, sent, c.body), k,
      policy(server.now, server.max_skew_seconds));
    if (got !== null) {
      const [creds, verified] = got;
      assert.equal(creds.scheme, "fost", c.id);
      assert.equal(creds.keyId, c.key, c.id);
      assert.equal(verified.scheme, "fost", c.id);
      assert.equal(verified.keyId, c.key, c.id);
      assert.equal(verified.covered[0], "X-FOST-Headers", c.id);
      assert.deepEqual(verified.covered.slice(1), signedHeaders.map(([n]) => n), c.id);
      const users = signedHeaders.filter(([n]) => n.toLowerCase() === "x-fost-user").map(([, v]) => v);
      assert.equal(verified.user, users.length ? users[0] : c.key, c.id);
    }
  },
  verify_request(c) {
    const request = requestWith(c.method, target(c.path, c.query_string), Object.entries(c.request_headers), c.body);
    check(c.id, c.expect, parseFost, verifyFost, request, key(c), policy(c.now, c.max_skew_seconds));
  },
  url_signature(c) {
    const k = key(c);
    const scheme = c.signed_url.split("://")[0];
    const url = `${scheme}://${c.host}${target(c.path, c.query_string)}`;
    const options = c.expires !== "" ? { expires: Number(c.expires) } : undefined;
    const gotUrl = new FostUrlSigner(c.key, k).sign(url, options);
    assert.equal(gotUrl, c.signed_url, c.id);
    assert.equal(gotUrl.split("?").slice(1).join("?"), c.signed_query_string, c.id);
    const params = new URLSearchParams(c.signed_query_string);
    assert.equal(params.get("_s"), c.signature, c.id);
    assert.ok(gotUrl.includes(`_s=${encodeURIComponent(c.signature)}`), c.id);
    assert.equal(b64(k.sign(c.document)), c.signature, c.id);
    if (c.filtered_query) assert.ok(c.document.includes(`?${c.filtered_query}\n`), c.id);

    const server = c.server_check;
    // As the Rust test: the request target is the absolute URL.
    const got = check(c.id, server.expect, parseFostUrl, verifyFostUrl, new Request("GET", gotUrl), k, policy(server.now));
    if (got !== null) {
      const [creds, verified] = got;
      assert.equal(creds.scheme, "fost-url", c.id);
      assert.equal(creds.keyId, c.key, c.id);
      assert.equal(verified.scheme, "fost-url", c.id);
      assert.equal(verified.keyId, c.key, c.id);
      const expires = Object.fromEntries(verified.details).expires;
      assert.equal(expires, c.expires === "" ? undefined : c.expires, c.id);
    }
    // The same URL as a server sees it: origin-form target plus the Host header.
    const request = new Request("GET", target(c.path, c.signed_query_string), { headers: [["Host", c.host]] });
    check(c.id, server.expect, parseFostUrl, verifyFostUrl, request, k, policy(server.now));
  },
  verify_url(c) {
    const request = new Request("GET", target(c.path, c.query_string), { headers: [["Host", c.host]] });
    check(c.id, c.expect, parseFostUrl, verifyFostUrl, request, key(c), policy(c.now));
  },
});
