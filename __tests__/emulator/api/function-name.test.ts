import { functionArnOf, matchFunctionName } from "../../../emulator/api/function-name";

const FN = { functionName: "lambda-streaming", region: "us-east-1", accountId: "000000000000" };

describe("matchFunctionName", () => {
  test.each([
    ["the name", "lambda-streaming", undefined],
    ["the name with $LATEST", "lambda-streaming:$LATEST", undefined],
    ["the name with ?Qualifier=$LATEST", "lambda-streaming", "$LATEST"],
    ["the full ARN", "arn:aws:lambda:us-east-1:000000000000:function:lambda-streaming", undefined],
    ["the full ARN with $LATEST", "arn:aws:lambda:us-east-1:000000000000:function:lambda-streaming:$LATEST", "$LATEST"],
    ["a partial ARN", "000000000000:function:lambda-streaming", undefined],
  ])("accepts %s", (_what, name, qualifier) => {
    expect(matchFunctionName(FN, name, qualifier)).toEqual({ ok: true });
  });

  test.each([
    ["another name", "other", undefined],
    ["a published version", "lambda-streaming:1", undefined],
    ["an alias by ?Qualifier=", "lambda-streaming", "live"],
    ["another Region's ARN", "arn:aws:lambda:eu-west-1:000000000000:function:lambda-streaming", undefined],
    ["another account's ARN", "arn:aws:lambda:us-east-1:123456789012:function:lambda-streaming", undefined],
    ["a Region without the rest of an ARN", "us-east-1:lambda-streaming", undefined],
  ])("answers 404 ResourceNotFoundException for %s, naming what it serves", (_what, name, qualifier) => {
    const match = matchFunctionName(FN, name, qualifier);
    expect(match).toMatchObject({ ok: false, status: 404, errorType: "ResourceNotFoundException" });
    expect(match.ok === false && match.message).toMatch(
      /^Function not found: .*This local Lambda serves lambda-streaming \(arn:aws:lambda:us-east-1:000000000000:function:lambda-streaming\) at \$LATEST only\.$/,
    );
  });

  test("a qualifier in the name that contradicts ?Qualifier= is a 400, as AWS answers it", () => {
    expect(matchFunctionName(FN, "lambda-streaming:$LATEST", "1")).toMatchObject({
      status: 400,
      errorType: "InvalidParameterValueException",
    });
  });

  test("a name AWS's pattern refuses is a 400 ValidationException naming the value", () => {
    const match = matchFunctionName(FN, "bad name!", undefined);
    expect(match).toMatchObject({ ok: false, status: 400, errorType: "ValidationException" });
    expect(match.ok === false && match.message).toContain("Value 'bad name!' at 'functionName'");
  });

  test("functionArnOf names the function as AWS does", () => {
    expect(functionArnOf(FN)).toBe("arn:aws:lambda:us-east-1:000000000000:function:lambda-streaming");
    expect(functionArnOf(FN, "$LATEST")).toBe("arn:aws:lambda:us-east-1:000000000000:function:lambda-streaming:$LATEST");
  });
});
