/**
 * The api-version each emulated route accepts: the one its REST specification defines and the
 * pinned SDK sends (checked in node_modules):
 * - Microsoft.DesktopVirtualization stable/2024-04-03 (@azure/arm-desktopvirtualization 1.2.0);
 * - Microsoft.Compute virtualMachines 2026-04-01 and disks 2026-03-02 (@azure/arm-compute 25.1.1);
 * - Microsoft.Network networkInterfaces 2026-01-01 (@azure/arm-network 39.0.0).
 * A request with another (or no) api-version is rejected as ARM does, so an adapter that drifts
 * from the specification fails a test.
 */
export const API_VERSIONS = {
  desktopVirtualization: "2024-04-03",
  virtualMachines: "2026-04-01",
  disks: "2026-03-02",
  networkInterfaces: "2026-01-01",
} as const;
