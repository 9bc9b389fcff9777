// The README ships inside node_modules/leakcheck: every file it links to must ship with it
// (docs/ was left out of package.json "files", so its links led nowhere there).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "../support/cli.js";

describe("the published package", () => {
  it("holds every file the README links to", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const files: string[] = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).files;
    const links = [...readme.matchAll(/\]\(([^)#]+)(?:#[^)]*)?\)/g)].map((match) => match[1]!).filter((link) => !/^[a-z]+:/.test(link));
    expect(links.length).toBeGreaterThan(0);
    const missing = links.filter((link) => !files.some((entry) => link === entry || link.startsWith(`${entry}/`)));
    expect(missing).toEqual([]);
  });
});
