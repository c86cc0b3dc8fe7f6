/**
 * One HTTP(S) request to the load balancer as a client of the service would make it: to the load balancer's
 * DNS name, with the service's host as Host header and TLS server name (so the certificate is verified for
 * that host, whatever DNS says), carrying the test rule's header.
 */
import * as http from "node:http";
import * as https from "node:https";
import type { CheckSettings, ProbeResult } from "./check";

/** Seconds a request may take; well inside the function's timeout. */
export const REQUEST_TIMEOUT_MS = 10_000;

export function probe(settings: CheckSettings, timeoutMs: number = REQUEST_TIMEOUT_MS): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const options = {
      host: settings.loadBalancerDnsName,
      port: settings.port,
      path: settings.path,
      method: "GET",
      headers: { Host: settings.host, [settings.header]: settings.value, "User-Agent": "ecs-deployment-verification" },
      servername: settings.host,
      timeout: timeoutMs,
    };
    const request = (settings.https ? https : http).request(options, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0 });
    });
    request.on("timeout", () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on("error", (error) => resolve({ error: error.message }));
    request.end();
  });
}
