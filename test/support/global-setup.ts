// Before the "rest" lane's first file: artillery's install (about a minute of npm, mostly
// network and disk) starts in the background so it overlaps other tests; stopped if the
// suite ends first.
import { installArtilleryInBackground } from "./artillery.js";

export default function setup(): () => Promise<void> {
  const stop = installArtilleryInBackground();
  return async () => {
    await stop?.();
  };
}
