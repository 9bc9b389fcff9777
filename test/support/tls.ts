// A self-signed certificate for 127.0.0.1, made in a temp folder for a test. openssl ships
// with the machine image (and every Linux and macOS one); node:crypto cannot self-sign.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface SelfSigned {
  key: string;
  cert: string;
  /** The certificate's file, for --ca. */
  certFile: string;
  remove(): void;
}

export function selfSignedCertificate(): SelfSigned {
  const dir = mkdtempSync(path.join(os.tmpdir(), "leakcheck-tls-"));
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  execFileSync("openssl", [
    "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    "-keyout", keyFile, "-out", certFile,
  ], { stdio: "ignore" });
  return { key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8"), certFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
