/** The port contract against C's simulated ports (automation/sim/simulatedPorts.ts). */
import { defineContractSuite } from "./contractSuite";
import { simulatedSubject } from "./subjects";

defineContractSuite("simulated ports", simulatedSubject, { transport: false });
