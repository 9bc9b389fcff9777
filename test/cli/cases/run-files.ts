// `run`'s input files: the budget (--budget), scenario files, the report folder
// (--report-dir). Every one is refused before a server starts.
import { holding, runningAsRoot, type ErrorCase } from "../error-runner.js";

const BUDGET = "run: budget file (--budget)";
const SCENARIO = "run: scenario files";
const REPORTS = "run: report folder (--report-dir)";

/** `run all --budget <tmp>/budget/<name>` with the file holding `content`. */
function budget(name: string, content: string, message: RegExp, note = holding(content)): ErrorCase {
  return { section: BUDGET, args: ["run", "all", "--budget", `<tmp>/budget/${name}`], exit: 2, message, files: { [`budget/${name}`]: content }, note };
}

/** `run <tmp>/scenario/<name>` with the file holding `content`. */
function scenario(name: string, content: string, message: RegExp, note = holding(content)): ErrorCase {
  return { section: SCENARIO, args: ["run", `<tmp>/scenario/${name}`], exit: 2, message, files: { [`scenario/${name}`]: content }, note };
}

const FIX = /; see README "Leak budget" for the format$/;
const withFix = (pattern: RegExp) => new RegExp(pattern.source + FIX.source);
const EXPORT = /: `export default defineScenario\(\{ name, description, session \}\)`$/;
const noScenario = (pattern: RegExp) => new RegExp(pattern.source + EXPORT.source);

export const budgetCases: ErrorCase[] = [
  { section: BUDGET, args: ["run", "all", "--budget", "<tmp>/budget/missing.json"], exit: 2, message: /budget file <tmp>\/budget\/missing\.json does not exist: give the path of a budget JSON file with --budget$/ },
  { section: BUDGET, args: ["run", "all", "--budget", "<tmp>/budget/"], exit: 2, message: /budget file .*budget\/ is a folder, not a file: give the path of a budget JSON file/, files: { "budget/": "" } },
  {
    section: BUDGET,
    args: ["run", "all", "--budget", "<tmp>/budget/unreadable.json"],
    exit: 2,
    message: /budget file .*unreadable\.json is not readable: permission denied \(EACCES\)/,
    files: { "budget/unreadable.json": "{}" },
    modes: { "budget/unreadable.json": 0o000 },
    note: "(chmod 000)",
    notTriedBecause: runningAsRoot,
  },
  budget("empty.json", "", /^budget file .*empty\.json is empty: write a JSON object such as \{"gauges": \{"\*": 0\}\}, or leave --budget out$/, "with the file empty"),
  budget("not-json.json", "gauges: 0", /^budget file .*not-json\.json is not valid JSON \(Unexpected token .*\): fix the file$/),
  budget("trailing-comma.json", '{"gauges": {"*": 0},}', /is not valid JSON \(Expected double-quoted property name in JSON at position \d+\): fix the file$/),
  budget("garbage.json", "\u0000\u0001\u00ff\u00fe{", /is not valid JSON \(.*\): fix the file$/, "with the file holding control bytes"),
  budget("array.json", "[]", withFix(/: the top level: must be an object of limits, like \{"heap": \{"perSessionBytes": 2048\}\}, got \[\]/)),
  budget("null.json", "null", withFix(/: the top level: must be an object of limits.*, got null/)),
  {
    section: BUDGET,
    args: ["run", "all", "--budget", "test/fixtures/bad-budget.json"],
    exit: 2,
    message: withFix(/^budget file test\/fixtures\/bad-budget\.json: gauges\.activeSessions: must be a whole number ≥ 0 \(entries a gauge may keep\), got "zero"/),
    note: holding('{ "gauges": { "activeSessions": "zero" } }'),
  },
  budget("gauges-number.json", '{"gauges": 5}', withFix(/: gauges: must be an object of gauge names to residuals, like \{"\*": 0\}, got 5/)),
  budget("negative-gauge.json", '{"gauges": {"*": -1}}', withFix(/: gauges\.\*: must be a whole number ≥ 0 \(entries a gauge may keep\), got -1/)),
  budget("fraction.json", '{"handles": {"timers": 1.5}}', withFix(/: handles\.timers: must be a whole number ≥ 0 \(active timers\), got 1\.5/)),
  budget("handles-number.json", '{"handles": 0}', withFix(/: handles: must be an object like \{"timers": 0, "sockets": 0\}, got 0/)),
  budget("negative-heap.json", '{"heap": {"perSessionBytes": -1}}', withFix(/: heap\.perSessionBytes: must be a number of bytes ≥ 0 \(per session\), got -1/)),
  budget("string-number.json", '{"survivors": {"minCount": "50"}}', withFix(/: survivors\.minCount: must be a whole number ≥ 0 \(objects\), got "50"/)),
  budget("huge.json", '{"gauges": {"*": 1e400}}', withFix(/: gauges\.\*: must be a whole number ≥ 0 .*, got Infinity/)),
  budget("ratio.json", '{"maxFailedSessionRatio": 5}', withFix(/: maxFailedSessionRatio: must be a number from 0 to 1, got 5/)),
  budget("unknown-key.json", '{"gauge": {"*": 0}}', withFix(/: unknown key "gauge" \(did you mean "gauges"\?\) at the top level; allowed there: gauges, handles, heap, survivors, maxFailedSessionRatio, scenarios/)),
  budget("unknown-nested.json", '{"heap": {"perSessionByte": 2048}}', withFix(/: unknown key "perSessionByte" \(did you mean "perSessionBytes"\?\) in heap; allowed there: perSessionBytes, minGrowthBytes/)),
  budget("scenario-units.json", '{"scenarios": {"random-churn": {"heap": {"perSessionBytes": "2KB"}}}}', withFix(/: scenarios\.random-churn\.heap\.perSessionBytes: must be a number of bytes ≥ 0 \(per session\), got "2KB"/)),
  budget("scenarios-array.json", '{"scenarios": []}', withFix(/: scenarios: must be an object of scenario names to limits, .*, got \[\]/)),
  budget("nested-scenarios.json", '{"scenarios": {"random-churn": {"scenarios": {}}}}', withFix(/: unknown key "scenarios" in scenarios\.random-churn; allowed there: gauges, handles, heap, survivors, maxFailedSessionRatio/)),
  {
    ...budget(
      "gauge-typo.json",
      '{"gauges": {"activeSession": 0}}',
      /^the budget names gauge "activeSession" \(did you mean "activeSessions"\?\) that the server does not have \(it has: activeSessions, .*\): fix the name in the budget's "gauges", or use "\*" for every gauge$/,
    ),
    args: ["run", "normal-completion", "--sessions", "2", "--no-snapshots", "--budget", "<tmp>/budget/gauge-typo.json"],
    spawn: "starts a server: the gauges are known once it answers",
  },
];

export const scenarioCases: ErrorCase[] = [
  { section: SCENARIO, args: ["run", "<tmp>/scenario/missing.mjs"], exit: 2, message: /^scenario file <tmp>\/scenario\/missing\.mjs does not exist: check the path$/ },
  { section: SCENARIO, args: ["run", "<tmp>/scenario/folder.mjs"], exit: 2, message: /^scenario file .*folder\.mjs is a folder: give the path of a \.ts, \.mts, \.js or \.mjs file$/, files: { "scenario/folder.mjs/": "" }, note: "(a folder)" },
  scenario("notes.txt", "export default {}", /^scenario file .*notes\.txt is not a \.ts, \.mts, \.js or \.mjs file: rename it/),
  {
    section: SCENARIO,
    args: ["run", "<tmp>/scenario/unreadable.mjs"],
    exit: 2,
    message: /^scenario file .*unreadable\.mjs is not readable: permission denied \(EACCES\): check its permissions$/,
    files: { "scenario/unreadable.mjs": "export default {}" },
    modes: { "scenario/unreadable.mjs": 0o000 },
    note: "(chmod 000)",
    notTriedBecause: runningAsRoot,
  },
  scenario("syntax.mjs", 'export default {\n  name: "broken",\n', /^scenario file .*syntax\.mjs failed to load \(SyntaxError: Unexpected end of input\): fix the file; `node .*syntax\.mjs` shows the error in full$/),
  scenario("syntax.ts", 'export default {\n  name: "broken" as,\n};\n', /^scenario file .*syntax\.ts failed to load \(TransformError: .*syntax\.ts:2:\d+: Unexpected ","\): fix the file; `npx tsx .*syntax\.ts` shows the error in full$/),
  { section: SCENARIO, args: ["run", "test/fixtures/throwing-scenario.mjs"], exit: 2, message: /^scenario file test\/fixtures\/throwing-scenario\.mjs failed to load \(scenario setup exploded\): fix the file/, note: "(throws an Error at load)" },
  scenario("throws-string.mjs", 'throw "not ready";', /failed to load \(not ready\)/),
  scenario("missing-import.mjs", 'import "leakcheck-no-such-package";\nexport default {};', /failed to load \(Cannot find package 'leakcheck-no-such-package' imported from .*missing-import\.mjs\)/),
  {
    ...scenario("never-loads.mjs", "await new Promise(() => {});\nexport default {};", /^scenario file .*never-loads\.mjs never finished loading \(a top-level await that never settles\): fix the file$/),
    spawn: "noticed when the process's event loop drains",
  },
  { ...scenario("exits.mjs", "process.exit(0);", /^scenario file .*exits\.mjs called process\.exit\(0\) while loading: a scenario file must only export a scenario$/), spawn: "exits the process" },
  scenario("no-default.mjs", "export const scenario = {};", noScenario(/^scenario file .*no-default\.mjs has no default export/)),
  scenario("number.mjs", "export default 42;", noScenario(/exports a number by default, not a scenario/)),
  scenario("no-session.mjs", 'export default { name: "x" };', noScenario(/exports a scenario without a session function/)),
  scenario("no-name.mjs", "export default { async session() {} };", noScenario(/exports a scenario without a name/)),
  scenario("description.mjs", 'export default { name: "x", description: 5, async session() {} };', noScenario(/exports a scenario whose description is not a string \(got 5\)/)),
  scenario("setup.mjs", 'export default { name: "x", setup: { users: 5 }, async session() {} };', noScenario(/exports a scenario whose setup is not a function \(got \{"users":5\}\)/)),
  scenario("bad-name.mjs", 'export default { name: "my scenario", async session() {} };', /: name "my scenario" must start with a letter or digit and hold only letters, digits, dots, dashes or underscores$/),
  {
    section: SCENARIO,
    args: ["run", "test/fixtures/zero-sessions-scenario.mjs"],
    exit: 2,
    message: /^scenario file test\/fixtures\/zero-sessions-scenario\.mjs: defaults\.sessions: must be a whole number from 1 to 1,000,000, got 0$/,
    note: "(`defaults: { sessions: 0 }`)",
  },
  scenario("defaults-string.mjs", 'export default { name: "x", defaults: { sessions: "lots" }, async session() {} };', /: defaults\.sessions: must be a whole number from 1 to 1,000,000, got "lots"$/),
  scenario("defaults-fraction.mjs", 'export default { name: "x", defaults: { concurrency: 1.5 }, async session() {} };', /: defaults\.concurrency: must be a whole number from 1 to 15,000, got 1\.5$/),
  scenario("defaults-rounds.mjs", 'export default { name: "x", defaults: { rounds: 101 }, async session() {} };', /: defaults\.rounds: must be a whole number from 1 to 100, got 101$/),
  scenario("defaults-typo.mjs", 'export default { name: "x", defaults: { session: 5 }, async session() {} };', /: unknown key "session" \(did you mean "sessions"\?\) in defaults; allowed there: sessions, concurrency/),
  scenario("defaults-number.mjs", 'export default { name: "x", defaults: 5, async session() {} };', /: defaults: must be an object like \{ sessions: 500, .* \}, got 5$/),
  scenario("defaults-boolean.mjs", 'export default { name: "x", defaults: { httpLoad: "yes" }, async session() {} };', /: defaults\.httpLoad: must be true or false, got "yes"$/),
  {
    section: SCENARIO,
    args: ["run", "<tmp>/scenario/same-a.mjs", "<tmp>/scenario/same-b.mjs"],
    exit: 2,
    message: /^two scenarios are named "same" \(.*same-a\.mjs and .*same-b\.mjs\): give one of them another name$/,
    files: { "scenario/same-a.mjs": 'export default { name: "same", async session() {} };', "scenario/same-b.mjs": 'export default { name: "same", async session() {} };' },
    note: "(both named `same`)",
  },
  {
    ...scenario("bundled-name.mjs", 'export default { name: "normal-completion", async session() {} };', /^two scenarios are named "normal-completion" \(the bundled one and .*bundled-name\.mjs\)/),
    args: ["run", "normal-completion", "<tmp>/scenario/bundled-name.mjs"],
  },
  {
    section: SCENARIO,
    args: ["run", "all"],
    exit: 2,
    message: /^scenario file scenarios\/broken\.mjs failed to load \(SyntaxError: Unexpected end of input\): fix the file; `node scenarios\/broken\.mjs` shows the error in full$/,
    cwd: "<tmp>/project-broken",
    files: { "project-broken/scenarios/broken.mjs": "export default {" },
    note: "in a folder whose `scenarios/broken.mjs` holds `export default {`",
  },
  {
    section: SCENARIO,
    args: ["run", "lobby-gaem"],
    exit: 2,
    // Its own scenarios, not the bundled interview ones its server cannot run.
    message: /^unknown scenario "lobby-gaem" \(did you mean "lobby-game"\?\): use one of lobby-game \(in scenarios\/\), all, or a path to a scenario file$/,
    cwd: "<tmp>/project-own",
    files: { "project-own/scenarios/lobby-game.mjs": 'export default { name: "lobby-game", async session() {} };' },
    note: "in a folder whose `scenarios/` holds `lobby-game.mjs`",
  },
];

export const reportDirCases: ErrorCase[] = [
  {
    section: REPORTS,
    args: ["run", "normal-completion", "--report-dir", "<tmp>/a-file"],
    exit: 2,
    message: /^--report-dir <tmp>\/a-file is a file, not a folder \(EEXIST\): choose a folder leakcheck can write to$/,
    files: { "a-file": "not a folder" },
    note: "(a file)",
  },
  {
    section: REPORTS,
    args: ["run", "normal-completion", "--report-dir", "<tmp>/a-file/reports"],
    exit: 2,
    message: /^--report-dir <tmp>\/a-file\/reports is under a file, not a folder \(ENOTDIR\): choose a folder leakcheck can write to$/,
    note: "(under a file: fails as root too)",
  },
  {
    section: REPORTS,
    args: ["run", "normal-completion", "--report-dir", "<tmp>/read-only/reports"],
    exit: 2,
    message: /^--report-dir <tmp>\/read-only\/reports is not writable \(EACCES\): choose a folder leakcheck can write to$/,
    files: { "read-only/": "" },
    modes: { "read-only": 0o555 },
    note: "(in a chmod 555 folder)",
    notTriedBecause: runningAsRoot,
  },
];
