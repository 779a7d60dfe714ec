/**
 * A throw-away TLS certificate for the emulator, generated when a test starts: the Azure SDK
 * refuses bearer tokens over plain HTTP, so the emulator must speak HTTPS, and no key material
 * is ever checked in.
 */
import { generate } from "selfsigned";

export interface TestCertificate {
  /** PEM private key of the server. */
  key: string;
  /** PEM certificate of the server; clients trust exactly this certificate (it is its own CA). */
  cert: string;
}

/** The host names (DNS, may be a wildcard) the certificate covers; the default is the ARM emulator's. */
export async function createTestCertificate(
  dnsNames: readonly string[] = ["localhost"],
): Promise<TestCertificate> {
  const now = new Date();
  const pems = await generate([{ name: "commonName", value: dnsNames[0] ?? "localhost" }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 24 * 3600_000),
    extensions: [
      // Self-signed and its own trust anchor: a CA certificate that also serves TLS.
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [{ type: 7, ip: "127.0.0.1" }, ...dnsNames.map((value) => ({ type: 2 as const, value }))],
      },
    ],
  });
  return { key: pems.private, cert: pems.cert };
}
