// The project's config file (read by `run`) and `leakcheck init`: refused before anything starts.
import { holding, type ErrorCase } from "../error-runner.js";

const CONFIG = "run: config file (leakcheck.config.*)";
const INIT = "init";

/** `run` in <tmp>/<folder>/ whose leakcheck.config.<ext> holds `content`. */
function config(folder: string, name: string, content: string, message: RegExp): ErrorCase {
  return {
    section: CONFIG,
    args: ["run"],
    cwd: `<tmp>/${folder}/`,
    exit: 2,
    message,
    files: { [`${folder}/package.json`]: "{}", [`${folder}/${name}`]: content },
    note: `in a project whose ${name} holds \`${content.replace(/`/g, "'")}\``,
  };
}

export const configCases: ErrorCase[] = [
  config("cfg-typo", "leakcheck.config.json", '{"sesions": 100}', /^config file leakcheck\.config\.json: unknown key "sesions" \(did you mean "sessions"\?\) at the top level; allowed there: server, url, .*; see README "Test your own app"$/),
  config("cfg-duration", "leakcheck.config.json", '{"timeouts": {"ready": "soon"}}', /^config file leakcheck\.config\.json: timeouts\.ready: must be a duration from 100ms to 10m, like 500ms, 15s or 10m, got "soon"; see README/),
  config("cfg-max-sessions", "leakcheck.config.json", '{"maxSessions": 0}', /^config file leakcheck\.config\.json: maxSessions: must be a whole number from 1 to 10,000,000, got 0; see README/),
  config("cfg-both", "leakcheck.config.json", '{"server": "npm start", "url": "http://127.0.0.1:3000"}', /^config file leakcheck\.config\.json has both server and url: keep server \(a command leakcheck starts\) or url \(a server already running\)$/),
  config("cfg-json", "leakcheck.config.json", "{ server: npm start }", /^config file leakcheck\.config\.json is not valid JSON \(.*\): fix the file$/),
  config("cfg-budget", "leakcheck.config.json", '{"budget": {"heap": {"perSessionByte": 1}}}', /^config file leakcheck\.config\.json, budget: unknown key "perSessionByte" \(did you mean "perSessionBytes"\?\) in heap/),
  config("cfg-mjs", "leakcheck.config.mjs", "export const server = 'npm start';", /^config file leakcheck\.config\.mjs has no default export: `export default \{ server: "npm start" \}`$/),
  {
    ...config("cfg-server-leak", "leakcheck.config.json", '{"server": "npm start"}', /^--server-leak is a leak mode of the bundled server; this project's config runs its own \(npm start\): leave --server-leak out$/),
    args: ["run", "--server-leak", "disconnect"],
  },
  {
    // Checked once the bundled server answers; the error names the key in the file, not a flag nobody typed.
    ...config("cfg-metrics-path", "leakcheck.config.json", '{"metricsPath": "/no-such-path"}', /^leakcheck\.config\.json's metricsPath \/no-such-path: GET http:\/\/127\.0\.0\.1:<port>\/no-such-path answered 404: point leakcheck\.config\.json's metricsPath at the server's metrics endpoint, or leave it out to measure without one/),
    args: ["run", "normal-completion"],
  },
];

export const initCases: ErrorCase[] = [
  {
    section: INIT,
    args: ["init"],
    cwd: "<tmp>/init-bare/",
    files: { "init-bare/package.json": "{}" },
    exit: 2,
    message: /^no server to test: give --server "<command that starts it>" \(it gets PORT and HOST\), or --url of one running, or add a start script to package\.json$/,
    note: "(a package.json without a start script, not on a terminal)",
  },
  {
    section: INIT,
    args: ["init", "--server", "npm start"],
    cwd: "<tmp>/init-again/",
    files: { "init-again/leakcheck.config.json": "{}" },
    exit: 2,
    message: /^leakcheck\.config\.json already exists: leakcheck init does not overwrite; edit it, or remove it and run init again$/,
    note: holding("{}").replace("the file", "leakcheck.config.json"),
  },
  { section: INIT, args: ["init", "--server", "npm start", "--url", "http://127.0.0.1:3000"], exit: 2, message: /^--server and --url: give one/ },
  { section: INIT, args: ["init", "--namespace", "chat"], exit: 2, message: /^--namespace must start with \/ like \/chat, got `chat` \(see leakcheck init --help\)$/ },
  { section: INIT, args: ["init", "--auth", "token"], exit: 2, message: /^--auth must be JSON, like .*, got `token`/ },
  { section: INIT, args: ["init", "--auth", "[1]"], exit: 2, message: /^--auth must be a JSON object, like \{"token":"dev-token"\}, got `\[1\]`/ },
];
