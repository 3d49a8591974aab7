// Requests signed by the package, sent to the example Django service (every scheme, through signedFetch and
// through the axios interceptor when axios is installed), and verified by the Python API.
import test from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import {
  ApiSecret, FostScheme, HmacHeaderScheme, HttpSignatureScheme, JwtScheme, SigningKey, installAxiosInterceptor,
  signedFetch,
} from "countermark";
import { PYTHON, SKIP_WITHOUT_PYTHON, USER, startService } from "./service.mjs";

function schemes(service) {
  const secret = ApiSecret.fromBase64Strict(service.secret);
  return {
    fost: new FostScheme(service.keyId, secret.fostKey(), { headers: ["Host", "Content-Type"] }),
    hmac: new HmacHeaderScheme(service.keyId, secret, "hmac-sha256"),
    rfc9421: new HttpSignatureScheme(secret.messageSignatureKey(), { keyId: service.keyId }),
    jwt: new JwtScheme(SigningKey.fromPem(service.privatePem), USER),
  };
}

// The scheme names the Django service reports (countermark.django's).
const REPORTED = { fost: "fost", hmac: "hmac", rfc9421: "rfc9421", jwt: "jwt" };

test("the example Django service accepts requests signed by the package, for every scheme", { skip: SKIP_WITHOUT_PYTHON }, async (t) => {
  const service = await startService();
  try {
    const all = schemes(service);
    let n = 0;
    for (const [name, scheme] of Object.entries(all)) {
      await t.test(`fetch ${name}`, async () => {
        const body = { order: { id: ++n, items: ["tea", "café"], price: 1.5 }, signer: "js", scheme: name };
        const send = signedFetch(scheme);
        const response = await send(`${service.base}/api/orders/`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
        });
        const got = await response.json();
        assert.equal(response.status, 200, `${name}: ${JSON.stringify(got)}\n${service.log().slice(-2000)}`);
        assert.equal(got.user, USER);
        assert.ok(got.scheme.startsWith(REPORTED[name]), got.scheme);
        assert.deepEqual(got.data, body);
        // A GET with a query string too (FOST then covers Host only: a GET has no Content-Type).
        const getScheme = name === "fost"
          ? new FostScheme(service.keyId, ApiSecret.fromBase64Strict(service.secret).fostKey())
          : scheme;
        const get = await signedFetch(getScheme)(`${service.base}/api/orders/?page=2&sort=id`);
        assert.equal(get.status, 200, `${name} GET: ${await get.text()}`);
      });
    }
    await t.test("a tampered body is refused (hmac)", async () => {
      const lines = all.hmac.sign("POST", `${service.base}/api/orders/`, [["Content-Type", "application/json"]],
        new TextEncoder().encode('{"n":1}'));
      const response = await fetch(`${service.base}/api/orders/`, {
        method: "POST",
        headers: [["Content-Type", "application/json"], ...lines],
        body: '{"n":2}',
      });
      assert.equal(response.status, 401);
      assert.equal((await response.json()).reason, "bad_signature");
    });
    // axios is an optional peer dependency, never installed into js/: `make js-test` installs it into
    // target/js-axios and names that directory in COUNTERMARK_AXIOS.
    const axiosDir = process.env.COUNTERMARK_AXIOS;
    const axios = axiosDir
      ? (await import(pathToFileURL(join(axiosDir, "node_modules", "axios", "index.js")).href)).default
      : undefined;
    await t.test("axios interceptor, every scheme", { skip: axios ? false : "COUNTERMARK_AXIOS is not set (make js-test installs axios)" }, async () => {
      for (const [name, scheme] of Object.entries(all)) {
        const client = axios.create({ baseURL: service.base, validateStatus: () => true });
        installAxiosInterceptor(client, scheme);
        const body = { order: { id: ++n }, signer: "js-axios", scheme: name };
        const response = await client.post("/api/orders/", body, { params: { page: 3 } });
        assert.equal(response.status, 200, `${name}: ${JSON.stringify(response.data)}`);
        assert.equal(response.data.user, USER);
        assert.deepEqual(response.data.data, body);
      }
    });
  } finally {
    await service.stop();
  }
});

// The Python side: verifies each request it is given with countermark's Python API and prints one verdict per line.
const VERIFY_PY = String.raw`
import json, sys
import countermark as cm
from countermark.exceptions import CountermarkError
for line in sys.stdin:
    c = json.loads(line)
    req = cm.Request.from_url(c["method"], c["url"], headers=[tuple(h) for h in c["headers"]], body=c["body"].encode())
    clock = cm.Clock.fixed(c["now"])
    try:
        if c["scheme"] == "fost":
            v = cm.verify_fost(req, cm.ApiSecret(c["secret"]).fost_key(), cm.FostPolicy(clock=clock))
        elif c["scheme"] == "hmac":
            v = cm.verify_hmac_header(req, cm.ApiSecret(c["secret"]), cm.HmacHeaderPolicy(clock=clock))
        elif c["scheme"] == "rfc9421":
            key = cm.MessageVerifyingKey.hmac(cm.ApiSecret(c["secret"]).message_signature_key())
            v = cm.verify_message_signature(req, key, cm.MessagePolicy(clock=clock, check_content_digest=True))
        else:
            token, _ = cm.parse_jwt_request(req)
            v = cm.verify_jwt(token, [cm.VerifyingKey.from_pem(c["public_pem"])], cm.JwtPolicy(clock=clock))
        print(json.dumps({"ok": True, "scheme": v.scheme, "key_id": v.key_id, "user": v.user}))
    except CountermarkError as e:
        print(json.dumps({"ok": False, "reason": e.reason}))
`;

test("the Python API verifies what the package signs, for every scheme, and refuses a tampered body", { skip: SKIP_WITHOUT_PYTHON }, async () => {
  const { Clock, ApiSecret: Secret, SigningKey: SK } = await import("countermark");
  const now = 1_700_000_000;
  const clock = Clock.fixed(now);
  const secret = Secret.generate();
  const { generateKeyPairSync } = await import("node:crypto");
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const signing = SK.fromPem(privateKey.export({ type: "pkcs8", format: "pem" }));
  const all = {
    fost: new FostScheme("key-1", secret.fostKey(), { headers: ["Host", "Content-Type"], clock }),
    hmac: new HmacHeaderScheme("key-1", secret, "hmac-sha256", { clock }),
    rfc9421: new HttpSignatureScheme(secret.messageSignatureKey(), { keyId: "key-1", clock }),
    jwt: new JwtScheme(signing, USER, { clock }),
  };
  const url = "https://api.example/v1/orders/?page=2";
  const body = JSON.stringify({ item: "café", price: 1.5, qty: [1, 2] });
  const cases = [];
  for (const [scheme, s] of Object.entries(all)) {
    const headers = [["Content-Type", "application/json"]];
    const lines = s.sign("POST", url, headers, new TextEncoder().encode(body));
    const sent = [...headers.filter(([n]) => !lines.some(([m]) => m.toLowerCase() === n.toLowerCase())), ...lines];
    const c = { scheme, method: "POST", url, headers: sent, body, now: now + 1, secret: secret.toBase64(),
      public_pem: publicKey.export({ type: "spki", format: "pem" }) };
    cases.push(c, { ...c, body: body.replace("1.5", "2.5") });
  }
  const out = execFileSync(PYTHON, ["-c", VERIFY_PY], { input: cases.map((c) => JSON.stringify(c)).join("\n"), encoding: "utf8" });
  const verdicts = out.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(verdicts.length, cases.length);
  for (let i = 0; i < cases.length; i += 2) {
    const scheme = cases[i].scheme;
    assert.equal(verdicts[i].ok, true, `${scheme}: ${JSON.stringify(verdicts[i])}`);
    // The JWT covers no body (asymmetric-jwt-auth's design): its tampered twin still verifies.
    if (scheme === "jwt") {
      assert.equal(verdicts[i].user, USER);
    } else {
      assert.deepEqual(verdicts[i + 1], { ok: false, reason: "bad_signature" }, scheme);
    }
  }
});
