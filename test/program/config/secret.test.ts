import { inspect } from "node:util";
import { describe, expect, it } from "vitest";
import { SecretValue } from "../../../program/config";

describe("SecretValue", () => {
  const secret = new SecretValue("Hunter2-Hunter2!");

  it("prints as [secret] in every rendering", () => {
    expect(String(secret)).toBe("[secret]");
    expect(`${secret}`).toBe("[secret]");
    expect(JSON.stringify({ secret })).toBe('{"secret":"[secret]"}');
    expect(inspect(secret)).toBe("[secret]");
    expect(inspect({ nested: { secret } }, { showHidden: true, depth: 5 })).not.toContain("Hunter2");
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
  });

  it("reveals only through reveal()", () => {
    expect(secret.reveal()).toBe("Hunter2-Hunter2!");
  });

  it("compares without revealing", () => {
    expect(secret.equals(new SecretValue("Hunter2-Hunter2!"))).toBe(true);
    expect(secret.equals(new SecretValue("other"))).toBe(false);
  });
});
