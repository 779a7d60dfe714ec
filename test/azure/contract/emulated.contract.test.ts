/**
 * The port contract against D's Azure SDK adapters (automation/azure/), over HTTPS to the ARM
 * emulator backed by the simulated world.
 */
import { beforeAll } from "vitest";
import { createTestCertificate, type TestCertificate } from "../emulator/certificate";
import { defineContractSuite } from "./contractSuite";
import { emulatedSubjectFactory } from "./subjects";

let certificate: TestCertificate;
beforeAll(async () => {
  certificate = await createTestCertificate();
});

defineContractSuite(
  "Azure adapters over the ARM emulator",
  emulatedSubjectFactory(() => certificate),
  { transport: true },
);
