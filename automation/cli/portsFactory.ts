/**
 * The one seam through which every command gets the world it acts on: the real one (Azure SDK
 * adapters and the Automation API stack adapter) or, in tests and rehearsals, a simulated one.
 */
import type { Ports } from "../core/ports";
import type { PreflightSubject } from "../preflight/target";
import type { StackDriftProbe } from "../pulumi/stackAdapter";

export interface StackSession {
  ports: Ports;
  /** Extra drift checks only a real stack can run (`preview`, `refresh --preview-only`). */
  drift?: StackDriftProbe;
  /** What the preflight checks and where it reads Azure (absent: no preflight, e.g. a bare simulation). */
  preflight?: PreflightSubject;
}

export interface PortsFactory {
  /** Opens the ports for the host pool of stack `stackName`. */
  open(stackName: string): Promise<StackSession>;
  /** The project's stacks (`status --all`); absent where the world has no project. */
  listStacks?(): Promise<string[]>;
}
