// The example Django service (examples/django_service) for the interop tests: a fresh SQLite database, the user
// alice with an API key (countermark_create_key) and an Ed25519 public key (countermark_add_public_key), then
// `manage.py runserver` on a free loopback port, as examples/django_service/demo.py sets it up.
// COUNTERMARK_PYTHON names the Python with countermark and Django installed (`make js-test` passes .venv's).
import { spawn, execFileSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO } from "./helpers.mjs";

export const PYTHON = process.env.COUNTERMARK_PYTHON;
export const SKIP_WITHOUT_PYTHON = PYTHON ? false : "COUNTERMARK_PYTHON is not set (make js-test sets it to .venv's python)";
const HERE = join(REPO, "examples", "django_service");
export const USER = "alice";

async function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

export async function startService() {
  const work = mkdtempSync(join(tmpdir(), "countermark-js-django-"));
  const env = {
    ...process.env,
    DJANGO_SETTINGS_MODULE: "demo_service.settings",
    COUNTERMARK_DEMO_DB: join(work, "db.sqlite3"),
    COUNTERMARK_DEMO_SECRET_KEY: "js-interop-test-secret-key-0123456789-abcdefghijklmnop",
    PYTHONUNBUFFERED: "1",
  };
  const manage = (...argv) => execFileSync(PYTHON, ["manage.py", ...argv], { cwd: HERE, env, encoding: "utf8" });
  manage("migrate", "--noinput", "-v", "0");
  manage("shell", "-v", "0", "-c", `from django.contrib.auth import get_user_model; get_user_model().objects.create_user(${JSON.stringify(USER)})`);
  const created = Object.fromEntries(
    manage("countermark_create_key", USER, "--format", "env", "--comment", "js")
      .trim()
      .split(/\s+/)
      .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
  );
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const privatePem = privateKey.export({ type: "pkcs8", format: "pem" });
  writeFileSync(join(work, "client.pub.pem"), publicKey.export({ type: "spki", format: "pem" }));
  manage("countermark_add_public_key", USER, join(work, "client.pub.pem"), "--comment", "js");

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = spawn(PYTHON, ["manage.py", "runserver", `127.0.0.1:${port}`, "--noreload"], {
    cwd: HERE, env, stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  server.stdout.on("data", (d) => (log += d));
  server.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`runserver exited ${server.exitCode}:\n${log}`);
    try {
      await fetch(`${base}/api/orders/`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`runserver did not answer within 30 s:\n${log}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    base,
    keyId: created.KEY_ID,
    secret: created.SECRET,
    privatePem,
    log: () => log,
    async stop() {
      if (server.exitCode === null) {
        const exited = new Promise((r) => server.once("exit", r));
        server.kill("SIGTERM");
        await exited;
      }
      rmSync(work, { recursive: true, force: true });
    },
  };
}
