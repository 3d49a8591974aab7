// The JavaScript request signer of the Django demo (examples/django_service/clients/js/sign.mjs): its headers
// verify with the package, and its usage errors exit 2 with nothing on stdout.
import test from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ApiSecret, Clock, HmacHeaderPolicy, Request, parseHmacHeader, verifyHmacHeader } from "countermark";
import { REPO } from "./helpers.mjs";

const SIGN = join(REPO, "examples", "django_service", "clients", "js", "sign.mjs");
const run = (args, env = {}) =>
  spawnSync(process.execPath, [SIGN, ...args], { encoding: "utf8", env: { ...process.env, ...env } });

test("sign.mjs: an hmac signature of a JSON POST verifies; usage errors exit 2", () => {
  const work = mkdtempSync(join(tmpdir(), "countermark-js-signer-"));
  try {
    const secret = ApiSecret.generate();
    const body = '{"order": {"id": 42}, "note": "caf\\u00e9"}';
    writeFileSync(join(work, "body.json"), body);
    const url = "http://127.0.0.1:8000/api/orders/";
    const ok = run(["hmac", "--key-id", "k1", "--method", "POST", `--url=${url}`, "--body-file", join(work, "body.json"),
      "--content-type", "application/json"], { COUNTERMARK_SECRET: secret.toBase64() });
    assert.equal(ok.status, 0, ok.stderr);
    const lines = ok.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf(": ")), l.slice(l.indexOf(": ") + 2)]);
    assert.deepEqual(lines.map(([n]) => n), ["Authorization"]);
    const request = Request.fromUrl("POST", url, { headers: [["Content-Type", "application/json"], ...lines], body });
    const claims = parseHmacHeader(request);
    assert.equal(claims.keyId, "k1");
    // Verified a second after the time it claims (a loaded machine may take longer than the 5 s window).
    const policy = new HmacHeaderPolicy({ clock: Clock.fixed(claims.created + 1) });
    assert.equal(verifyHmacHeader(request, secret, policy).keyId, "k1");

    for (const [args, env] of [
      [["nope", "--key-id", "k", "--method", "GET", "--url", url], { COUNTERMARK_SECRET: secret.toBase64() }],
      [["hmac", "--method", "GET", "--url", url], { COUNTERMARK_SECRET: secret.toBase64() }],
      [["hmac", "--key-id", "k", "--method", "GET", "--url", "/relative"], { COUNTERMARK_SECRET: secret.toBase64() }],
      [["fost", "--key-id", "k", "--method", "GET", "--url", url], { COUNTERMARK_SECRET: "not base64!" }],
      [["jwt", "--user", "alice", "--method", "GET", "--url", url], {}],
    ]) {
      const r = run(args, env);
      assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stdout, "", args.join(" "));
      assert.match(r.stderr, /^sign\.mjs: /);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
