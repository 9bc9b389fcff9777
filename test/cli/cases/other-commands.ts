// `list`, `serve`, `diff` and `compare`: arguments, options and input files.
import { holding, runningAsRoot, type ErrorCase } from "../error-runner.js";

const HELP = (command: string) => new RegExp(` \\(see leakcheck ${command} --help\\)$`);

export const listCases: ErrorCase[] = [
  { section: "list", args: ["list", "extra"], exit: 2, message: /^too many arguments for 'list'\. Expected 0 arguments but got 1\./ },
  { section: "list", args: ["list", "--bogus"], exit: 2, message: /^unknown option '--bogus'/ },
  {
    section: "list",
    args: ["list"],
    exit: 2,
    message: /^scenario file scenarios\/broken\.mjs failed to load \(SyntaxError: Unexpected end of input\): fix the file/,
    cwd: "<tmp>/project-broken",
    files: { "project-broken/scenarios/broken.mjs": "export default {" },
    note: "in a folder whose `scenarios/broken.mjs` holds `export default {`",
  },
  {
    section: "list",
    args: ["list"],
    exit: 2,
    message: /^two scenarios are named "twin" \(scenarios\/a\.mjs and scenarios\/b\.mjs\): give one of them another name$/,
    cwd: "<tmp>/project-twins",
    files: {
      "project-twins/scenarios/a.mjs": 'export default { name: "twin", async session() {} };',
      "project-twins/scenarios/b.mjs": 'export default { name: "twin", async session() {} };',
    },
    note: "in a folder whose `scenarios/a.mjs` and `scenarios/b.mjs` are both named `twin`",
  },
];

const serve = (args: string[], message: RegExp, extra: Partial<ErrorCase> = {}): ErrorCase => ({
  section: "serve",
  args: ["serve", ...args],
  exit: 2,
  message,
  timeoutMs: 15_000,
  ...extra,
});

export const serveCases: ErrorCase[] = [
  ...["-1", "65536", "abc", "1.5", ""].map((value) =>
    serve(["--port", value], new RegExp(`^--port must be a whole number from 0 to 65,535, got ${value === "" ? '""' : `\`${value}\``}`)),
  ),
  serve(["--leak", "everything"], /^--leak: leak mode must be one of none, disconnect, timers, cache, listeners, bytes:N or bytes:N:max:M .*, got `everything`/),
  serve(["--leak", ""], /^--leak: leak mode must be one of .*, got ""/),
  serve(["--resume-grace", "soon"], /^--resume-grace must be a duration from 0 to 1h, like 500ms, 15s or 10m, got `soon`/),
  serve(["--resume-grace", "2h"], /^--resume-grace must be a duration from 0 to 1h/),
  serve(["--ping-interval", "5ms"], /^--ping-interval must be a duration from 10ms to 10m/),
  serve(["--ping-timeout", "11m"], /^--ping-timeout must be a duration from 10ms to 10m/),
  serve(["--rate-limit", "fast"], /^--rate-limit must be a whole number from 0 to 1,000,000, got `fast`/),
  serve(["--rate-limit", "-1"], /^--rate-limit must be a whole number from 0 to 1,000,000, got `-1`/),
  serve(["--host", ""], /^--host needs a value, got "" \(--host <host>: /),
  serve(["extra"], /^too many arguments for 'serve'/),
  serve(["--bogus"], /^unknown option '--bogus'/),
  serve([], /^PORT must be a whole number from 0 to 65535, got `abc`; set PORT to 0 for any free port, or pass --port$/, { env: { PORT: "abc" } }),
  serve([], /^PORT must be a whole number from 0 to 65535, got `99999`/, { env: { PORT: "99999" } }),
  serve(["--port", "0"], /^cannot listen on 192\.0\.2\.1: it is not an address of this machine; choose another with --host or HOST$/, {
    exit: 3,
    env: { HOST: "192.0.2.1" },
  }),
  serve(["--port", "<port>"], /^port <port> is already in use on 127\.0\.0\.1: choose another with --port or PORT$/, {
    exit: 3,
    spawn: "starts a server",
    note: "(the port is taken)",
  }),
];

/** A small valid .heapsnapshot (three nodes, two edges), so a truncated copy fails at a fixed byte. */
export const TINY_SNAPSHOT = JSON.stringify({
  snapshot: {
    meta: {
      node_fields: ["type", "name", "id", "self_size", "edge_count", "trace_node_id", "detachedness"],
      node_types: [
        ["hidden", "array", "string", "object", "code", "closure", "regexp", "number", "native", "synthetic", "concatenated string", "sliced string", "symbol", "bigint", "object shape"],
        "string", "number", "number", "number", "number", "number",
      ],
      edge_fields: ["type", "name_or_index", "to_node"],
      edge_types: [["context", "element", "property", "internal", "hidden", "shortcut", "weak"], "string_or_number", "node"],
      location_fields: ["object_index", "script_id", "line", "column"],
    },
    node_count: 3,
    edge_count: 2,
    trace_function_count: 0,
  },
  nodes: [9, 1, 1, 0, 1, 0, 0, 9, 2, 3, 0, 1, 0, 0, 3, 3, 5, 64, 0, 0, 0],
  edges: [5, 4, 7, 2, 5, 14],
  trace_function_infos: [],
  trace_tree: [],
  samples: [],
  locations: [],
  strings: ["", "(root)", "(GC roots)", "Leaky", "x", "y"],
});

const TINY = "<tmp>/snap/tiny.heapsnapshot";
const diff = (args: string[], message: RegExp, extra: Partial<ErrorCase> = {}): ErrorCase => ({
  section: "diff",
  args: ["diff", ...args],
  exit: 2,
  message,
  ...extra,
  files: { "snap/tiny.heapsnapshot": TINY_SNAPSHOT, ...extra.files },
});
const SNAPSHOT_FIX = /: take the snapshot again \(DevTools, heapdump or v8\.writeHeapSnapshot\)$/;
const corrupt = (name: string, content: string | Uint8Array, problem: RegExp, note: string): ErrorCase =>
  diff([`<tmp>/snap/${name}`, TINY], new RegExp(`^<tmp>/snap/${name.replace(/\./g, "\\.")}: ${problem.source}${SNAPSHOT_FIX.source}`), {
    files: { [`snap/${name}`]: content },
    note,
  });
const truncatedAt = (marker: string, extra: number) => TINY_SNAPSHOT.slice(0, TINY_SNAPSHOT.indexOf(marker) + extra);

export const diffCases: ErrorCase[] = [
  diff([], /^missing required argument 'before'/),
  diff([TINY], /^missing required argument 'after'/),
  diff([TINY, TINY, TINY], /^too many arguments for 'diff'\. Expected 2 arguments but got 3\./),
  diff(["", TINY], /^the <before> argument is empty: give the earlier \.heapsnapshot/),
  diff(["<tmp>/snap/missing.heapsnapshot", TINY], /^snapshot <tmp>\/snap\/missing\.heapsnapshot does not exist: check the path$/),
  diff([TINY, "<tmp>/snap/missing.heapsnapshot"], /^snapshot <tmp>\/snap\/missing\.heapsnapshot does not exist/),
  diff(["<tmp>/snap", TINY], /^snapshot <tmp>\/snap is a folder: give the path of a \.heapsnapshot file$/),
  diff(["<tmp>/snap/unreadable.heapsnapshot", TINY], /^snapshot .*unreadable\.heapsnapshot is not readable: permission denied \(EACCES\)/, {
    files: { "snap/unreadable.heapsnapshot": TINY_SNAPSHOT },
    modes: { "snap/unreadable.heapsnapshot": 0o000 },
    note: "(chmod 000)",
    notTriedBecause: runningAsRoot,
  }),
  corrupt("empty.heapsnapshot", "", /empty file at byte 0/, "(an empty file)"),
  corrupt("header-cut.heapsnapshot", TINY_SNAPSHOT.slice(0, 100), /unexpected end of file at byte 100 \(truncated\? inside the "snapshot" header, which starts at byte 12\)/, "(the first 100 bytes of a snapshot)"),
  corrupt("nodes-cut.heapsnapshot", truncatedAt('"nodes":[', 20), /unexpected end of file at byte \d+ \(truncated\? .*\)/, "(a snapshot cut in its nodes array)"),
  corrupt("strings-cut.heapsnapshot", truncatedAt('"Leaky"', 3), /unexpected end of file at byte \d+ \(truncated\? inside string 3 of the strings array, .*\)/, "(a snapshot cut in its strings)"),
  corrupt("other.json", '{"hello": "world"}', /not a heap snapshot: the first key is "hello", expected "snapshot" at byte \d+/, holding('{"hello": "world"}')),
  corrupt("array.json", "[1, 2, 3]", /not a heap snapshot: expected "\{", found "\[" at byte 0/, holding("[1, 2, 3]")),
  corrupt("image.png", new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), /not a heap snapshot: expected "\{", found byte 0x89 at byte 0/, "(the first bytes of a PNG)"),
  diff([TINY, TINY, "--final", "<tmp>/snap/missing.heapsnapshot"], /^snapshot <tmp>\/snap\/missing\.heapsnapshot does not exist/),
  diff([TINY, TINY, "--final", ""], /^--final needs a value, got "" \(--final <file>: /),
  ...["0", "1001", "many"].map((value) => diff([TINY, TINY, "--top", value], new RegExp(`^--top must be a whole number from 1 to 1,000, got \`${value}\`${HELP("diff").source}`))),
  ...["0", "1.5"].map((value) => diff([TINY, TINY, "--sessions", value], new RegExp(`^--sessions must be a whole number from 1 to 100,000,000, got \`${value.replace(".", "\\.")}\``))),
  diff([TINY, TINY, "--out", "<tmp>/snap/tiny.heapsnapshot"], /^--out <tmp>\/snap\/tiny\.heapsnapshot is a file, not a folder \(EEXIST\): choose a folder leakcheck can write to$/),
  diff([TINY, TINY, "--out", "<tmp>/snap/tiny.heapsnapshot/out"], /^--out .*tiny\.heapsnapshot\/out is under a file, not a folder \(ENOTDIR\)/),
  diff([TINY, TINY, "--out", ""], /^--out needs a value, got "" \(--out <dir>: /),
  diff([TINY, TINY, "--json", "--bogus"], /^unknown option '--bogus'/),
];

const GOOD = "<tmp>/runs/good";
const GOOD_REPORT = '{"verdict": "pass", "scenarios": []}';
const FIX = /: give a run folder \(like reports\/latest\) or its report\.json$/;
const compare = (args: string[], message: RegExp, extra: Partial<ErrorCase> = {}): ErrorCase => ({
  section: "compare",
  args: ["compare", ...args],
  exit: 2,
  message,
  ...extra,
  files: { "runs/good/report.json": GOOD_REPORT, ...extra.files },
});
/** `compare <tmp>/runs/<name>/report.json <good>` with the report holding `content`. */
const badReport = (name: string, content: string | Uint8Array, message: RegExp, note = typeof content === "string" ? holding(content) : undefined): ErrorCase =>
  compare([`<tmp>/runs/${name}/report.json`, GOOD], message, { files: { [`runs/${name}/report.json`]: content }, note });

export const compareCases: ErrorCase[] = [
  compare([], /^missing required argument 'runA'/),
  compare([GOOD], /^missing required argument 'runB'/),
  compare([GOOD, GOOD, GOOD], /^too many arguments for 'compare'/),
  compare(["<tmp>/runs/missing", GOOD], new RegExp(`^run A: \`<tmp>/runs/missing\` does not exist${FIX.source}`)),
  compare([GOOD, "<tmp>/runs/missing"], /^run B: `<tmp>\/runs\/missing` does not exist/),
  compare(["<tmp>/runs/no-report", GOOD], /^run A: `<tmp>\/runs\/no-report` has no report\.json: give a run folder .* \(a run killed before its first report leaves none\)$/, {
    files: { "runs/no-report/": "" },
    note: "(a folder without report.json)",
  }),
  compare(["<tmp>/runs/unreadable", GOOD], /^run A: `.*report\.json` is not readable: permission denied \(EACCES\)/, {
    files: { "runs/unreadable/report.json": GOOD_REPORT },
    modes: { "runs/unreadable/report.json": 0o000 },
    note: "(report.json chmod 000)",
    notTriedBecause: runningAsRoot,
  }),
  badReport("empty", "", /^run A: `.*empty\/report\.json` is empty: give a run folder/, "(an empty report.json)"),
  badReport("cut", '{"verdict": "pass", "scenarios": [', /^run A: `.*cut\/report\.json` is not valid JSON \(.*\): run leakcheck again to write a new report, or give a run folder/),
  badReport("garbage", new Uint8Array([0x1f, 0x8b, 0x08, 0x00, 0xff, 0x00]), /^run A: `.*garbage\/report\.json` is not valid JSON \(.*\)/, "(gzip bytes)"),
  badReport("other", '{"hello": "world"}', new RegExp(`^run A: \`.*other/report\\.json\` is not a leakcheck report \\(verdict: must be "pass", "fail" or "error", got nothing\\)${FIX.source}`)),
  badReport("verdict", '{"verdict": "ok", "scenarios": []}', /is not a leakcheck report \(verdict: must be "pass", "fail" or "error", got "ok"\)/),
  badReport("array", "[]", /is not a leakcheck report \(the top level: must be a JSON object like .*, got \[\]\)/),
  badReport("no-gauges", '{"verdict": "pass", "scenarios": [{"name": "x", "verdict": "pass", "sessions": 10}]}', /is not a leakcheck report \(scenarios\[0\]\.gauges: must be an array, got nothing\)/),
  badReport("sessions", '{"verdict": "pass", "scenarios": [{"name": "x", "verdict": "pass", "sessions": -5, "gauges": []}]}', /is not a leakcheck report \(scenarios\[0\]\.sessions: must be a whole number ≥ 0, got -5\)/),
  ...["lots", "-1", "2GB", ""].map((value) =>
    compare([GOOD, GOOD, "--max-regression", value], new RegExp(`^--max-regression must be heap bytes per session like 1024, 512B, 2KB or 1\\.5MB, got ${value === "" ? '""' : `\`${value}\``} \\(at most 1024MB\\)`)),
  ),
  compare([GOOD, GOOD, "--json", "--markdown"], /^--markdown cannot be used with --json/),
];
