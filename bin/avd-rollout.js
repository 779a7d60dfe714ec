#!/usr/bin/env node
// Runs the TypeScript CLI through tsx so a checkout works without a build step.
require("tsx/cjs");
require("../automation/cli/main.ts");
