import { parseErrorBody, readErrorTrailers, runtimeApiError } from "../../../emulator/runtime-api/error-body";

describe("readErrorTrailers", () => {
  test("decodes the base64 error body", () => {
    const body = Buffer.from(JSON.stringify({ errorType: "TypeError", errorMessage: "boom", trace: ["at x"] })).toString("base64");
    expect(readErrorTrailers({ "lambda-runtime-function-error-type": "TypeError", "lambda-runtime-function-error-body": body })).toEqual({
      errorType: "TypeError",
      errorMessage: "boom",
      trace: ["at x"],
    });
  });

  test("is undefined for a clean end, and keeps the type when the body is undecodable", () => {
    expect(readErrorTrailers({})).toBeUndefined();
    expect(
      readErrorTrailers({ "lambda-runtime-function-error-type": "Custom.Error", "lambda-runtime-function-error-body": "%%%" }),
    ).toEqual({
      errorType: "Custom.Error",
      errorMessage: "",
    });
  });
});

describe("parseErrorBody", () => {
  test("reads errorType, errorMessage and trace (or stackTrace); the error-type header wins", () => {
    const body = Buffer.from(JSON.stringify({ errorType: "TypeError", errorMessage: "bad", stackTrace: ["at a", 2] }));
    expect(parseErrorBody(body, undefined)).toEqual({ errorType: "TypeError", errorMessage: "bad", trace: ["at a", "2"] });
    expect(parseErrorBody(body, "Runtime.Custom")).toMatchObject({ errorType: "Runtime.Custom" });
  });

  test("a body that is not a JSON object still gives an error: its text as the message, Runtime.Unknown as the type", () => {
    expect(parseErrorBody(Buffer.from("plain words"), undefined)).toEqual({ errorType: "Runtime.Unknown", errorMessage: "plain words" });
    expect(parseErrorBody(Buffer.from("[1]"), undefined)).toEqual({ errorType: "Runtime.Unknown", errorMessage: "" });
    expect(parseErrorBody(undefined, undefined)).toEqual({ errorType: "Runtime.Unknown", errorMessage: "" });
  });
});

test("runtimeApiError is RIE's error body", () => {
  expect(runtimeApiError("InvalidRequestID", "Invalid request ID")).toEqual({
    errorType: "InvalidRequestID",
    errorMessage: "Invalid request ID",
  });
});
