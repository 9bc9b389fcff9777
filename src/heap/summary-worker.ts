// The worker side of readSummaries (summaries.ts): reads the files it is given, one after the
// other, and posts each summary (its id arrays transferred, not copied) or the error.
import { parentPort, workerData } from "node:worker_threads";
import { readSummary } from "./census.js";
import { errorMessage, summaryMessage } from "./summaries.js";

const files = (workerData as { files: string[] }).files;
for (const file of files) {
  try {
    const summary = await readSummary(file);
    const { message, transfer } = summaryMessage(summary);
    parentPort!.postMessage(message, transfer);
  } catch (error) {
    parentPort!.postMessage(errorMessage(error));
    break;
  }
}
