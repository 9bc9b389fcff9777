// Real artillery for the --load tests: installed once into a cache outside the package, never
// a dependency, by the bench's installer (one copy serves both). The suite starts the install
// in the background (test/support/global-setup.ts); a test that needs artillery waits for it.
export { artilleryWhenReady, installArtilleryInBackground } from "../../bench/artillery.js";
