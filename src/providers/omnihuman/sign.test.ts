// The V4 signer, checked against AWS's published SigV4 test-suite vectors (the scheme Volcengine's is adapted from).
import { describe, expect, test } from "vitest";
import { signRequest } from "./sign.js";

// aws-sig-v4-test-suite: credentials and date shared by every case.
const AWS = {
  accessKey: "AKIDEXAMPLE",
  secretKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  region: "us-east-1",
  service: "service",
  date: new Date("2015-08-30T12:36:00Z"),
  flavour: "aws" as const,
};

describe("V4 signing", () => {
  test("get-vanilla: the published signature", () => {
    const h = signRequest({
      ...AWS,
      method: "GET",
      url: new URL("https://example.amazonaws.com/"),
      headers: {},
      body: "",
    });
    expect(h.Authorization).toBe(
      "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31",
    );
    expect(h["X-Amz-Date"]).toBe("20150830T123600Z");
  });

  test("get-vanilla-query-order-key-case: query parameters are sorted before signing", () => {
    const h = signRequest({
      ...AWS,
      method: "GET",
      url: new URL("https://example.amazonaws.com/?Param2=value2&Param1=value1"),
      headers: {},
      body: "",
    });
    expect(h.Authorization).toContain(
      "Signature=b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500",
    );
  });

  test("volcengine flavour: HMAC-SHA256, a …/cv/request scope, the body hash signed as X-Content-Sha256", () => {
    const body = '{"req_key":"jimeng_realman_avatar_picture_omni_v15"}';
    const h = signRequest({
      accessKey: "AK",
      secretKey: "SK",
      region: "cn-north-1",
      service: "cv",
      method: "POST",
      url: new URL("https://visual.volcengineapi.com/?Action=CVSubmitTask&Version=2022-08-31"),
      headers: { "Content-Type": "application/json" },
      body,
      date: new Date("2025-01-02T03:04:05Z"),
    });
    expect(h["X-Date"]).toBe("20250102T030405Z");
    expect(h["X-Content-Sha256"]).toMatch(/^[0-9a-f]{64}$/);
    expect(h.Authorization).toMatch(
      /^HMAC-SHA256 Credential=AK\/20250102\/cn-north-1\/cv\/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=[0-9a-f]{64}$/,
    );
    // The signature covers the body: another body, another signature.
    const other = signRequest({
      accessKey: "AK",
      secretKey: "SK",
      region: "cn-north-1",
      service: "cv",
      method: "POST",
      url: new URL("https://visual.volcengineapi.com/?Action=CVSubmitTask&Version=2022-08-31"),
      headers: { "Content-Type": "application/json" },
      body: `${body} `,
      date: new Date("2025-01-02T03:04:05Z"),
    });
    expect(other.Authorization).not.toBe(h.Authorization);
  });
});
