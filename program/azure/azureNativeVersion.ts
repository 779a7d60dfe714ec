/**
 * The version of the installed `@pulumi/azure-native` package: what the generated resource
 * classes send as the `version` resource option (utilities.resourceOptsDefaults), so the engine
 * loads the same provider plugin whichever way a resource is registered.
 */
import { readFileSync } from "node:fs";

function readAzureNativeVersion(): string {
  const manifestPath = require.resolve("@pulumi/azure-native/package.json");
  const manifest = JSON.parse(readFileSync(manifestPath, "utf8")) as { version?: unknown };
  if (typeof manifest.version !== "string") {
    throw new Error(`${manifestPath} has no version: reinstall @pulumi/azure-native`);
  }
  // Same normalisation as the generated utilities.getVersion(): node allows a leading "v", semver does not.
  return manifest.version.startsWith("v") ? manifest.version.slice(1) : manifest.version;
}

export const azureNativeVersion: string = readAzureNativeVersion();
