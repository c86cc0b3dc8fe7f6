/** The Application Load Balancer: listeners, certificate, access logs, WAF. */
import { z } from "zod";
import { MODERN_TLS_POLICY } from "../../modules/platform/tls";
import { isValidHostHeader } from "./validators";
import { wafSchema } from "./security";
import { ARN, int, cidr } from "./fields";

export const loadBalancerSchema = z
  .object({
    idleTimeoutSeconds: int(1, 4000).default(60).describe("Seconds an idle connection stays open."),
    ingressCidrs: z.array(cidr()).min(1, "must allow at least one CIDR").default(["0.0.0.0/0"]).describe("Who may reach ports 80/443."),
    deletionProtection: z.boolean().default(true).describe("Refuse to delete the load balancer (turn off before destroying an environment)."),
    certificateArn: z.string().regex(ARN, "must be an ACM certificate ARN").optional().describe("An existing ACM certificate for HTTPS. Set this or domain; neither = HTTP only."),
    domain: z
      .object({
        name: z.string().refine(isValidHostHeader, { message: "must be a domain name such as api.example.com" }).describe("The certificate's domain, e.g. `api.example.com`."),
        subjectAlternativeNames: z.array(z.string().refine(isValidHostHeader, { message: "must be a domain name" })).default([]).describe("More names on the certificate."),
        hostedZoneId: z.string().regex(/^Z[A-Z0-9]{1,31}$/, "must be a Route 53 hosted zone id").optional().describe("Route 53 zone to write the validation records to; without it they are printed as the `certificate_validation_records` output."),
      })
      .optional().describe("Request an ACM certificate for this domain (DNS validation). Set this or certificateArn; neither = HTTP only."),
    sslPolicy: z
      .string()
      .regex(MODERN_TLS_POLICY, "must be a TLS 1.3/1.2 policy such as ELBSecurityPolicy-TLS13-1-2-2021-06")
      .default("ELBSecurityPolicy-TLS13-1-2-2021-06").describe("HTTPS listener security policy: TLS 1.3 and 1.2 only."),
    accessLogs: z.object({ expirationDays: int(1, 3650).default(90).describe("Days access logs are kept.") }).prefault({}).describe("Load balancer access logs, in a bucket of their own."),
    waf: wafSchema(),
  })
  .superRefine((lb, ctx) => {
    if (lb.certificateArn && lb.domain) {
      ctx.addIssue({ code: "custom", path: ["certificateArn"], message: "set either certificateArn or domain, not both" });
    }
  });
