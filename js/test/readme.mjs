// The README's JavaScript code blocks (the section "## JavaScript"), for the tests that run them.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO } from "./helpers.mjs";

export function readmeBlocks(lang) {
  const readme = readFileSync(join(REPO, "README.md"), "utf8");
  const start = readme.indexOf("\n## JavaScript\n");
  const end = readme.indexOf("\n## ", start + 1);
  if (start < 0) throw new Error("README.md has no ## JavaScript section");
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]);
}
