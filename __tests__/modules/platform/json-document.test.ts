import { Fn, Token, Tokenization } from "cdktf";
import { describe, expect, test } from "vitest";
import { CloudwatchDashboard } from "@cdktf/provider-aws/lib/cloudwatch-dashboard";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { jsonDocument } from "../../../modules/platform/json-document";
import { resourcesOfType, synthConstructs } from "../../support/synth";

/** The synthesized dashboard bodies of a document written with JSON.stringify and with jsonDocument. */
function bodies(document: (queue: SqsQueue) => unknown): { stringify: string; jsonDocument: string; jsonDocumentValue: string } {
  let jsonDocumentValue = "";
  const json = synthConstructs((scope) => {
    const queue = new SqsQueue(scope, "queue", { name: "jobs" });
    new CloudwatchDashboard(scope, "stringify", { dashboardName: "a", dashboardBody: JSON.stringify(document(queue)) });
    jsonDocumentValue = jsonDocument(document(queue));
    new CloudwatchDashboard(scope, "json-document", { dashboardName: "b", dashboardBody: jsonDocumentValue });
  });
  const [stringify, fast] = resourcesOfType(json, "aws_cloudwatch_dashboard").map((dashboard) => dashboard.dashboard_body as string);
  return { stringify, jsonDocument: fast, jsonDocumentValue };
}

describe("jsonDocument", () => {
  test.each<[string, (queue: SqsQueue) => unknown]>([
    ["references in strings, alone and inside text", (queue) => ({ widgets: [{ metrics: [["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", queue.name]], title: `queue ${queue.name} (${queue.arn})` }] })],
    ["many references", (queue) => ({ widgets: Array.from({ length: 200 }, (_, index) => ({ title: `${index}: ${queue.name}`, arn: queue.arn, quote: 'say "hi"' })) })],
    ["a number reference", (queue) => ({ delay: queue.delaySeconds, name: queue.name })],
    ["a function call", (queue) => ({ upper: Fn.upper(queue.name) })],
    ["no reference", () => ({ start: "-PT6H", widgets: [] })],
  ])("%s: synthesizes the same text as JSON.stringify", (_, document) => {
    const { stringify, jsonDocument: fast } = bodies(document);
    expect(fast).toBe(stringify);
    expect(stringify).not.toContain("TfToken");
  });

  test("a document with references is one token, its text resolved in one pass at synth", () => {
    const { jsonDocumentValue } = bodies((queue) => ({ widgets: Array.from({ length: 50 }, () => ({ title: queue.name })) }));
    expect(Tokenization.reverseString(jsonDocumentValue).tokens).toHaveLength(1);
    expect(jsonDocumentValue).not.toContain("title");
  });

  test("a document without references is the plain JSON text", () => {
    expect(jsonDocument({ a: [1, "b"] })).toBe('{"a":[1,"b"]}');
  });

  test("a document that writes a Terraform expression of its own keeps cdktf's resolution (the same text)", () => {
    const { stringify, jsonDocument: fast, jsonDocumentValue } = bodies((queue) => ({ name: `\${upper(${queue.name})}` }));
    expect(fast).toBe(stringify);
    expect(Token.isUnresolved(jsonDocumentValue)).toBe(true);
    expect(jsonDocumentValue).toContain("${upper(");
  });
});
