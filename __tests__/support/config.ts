import { ConfigError, parseEnvironmentConfig, type EnvironmentInput } from "../../stacks/config";

type Service = NonNullable<EnvironmentInput["services"]>[number];

/**
 * A small valid environment (created VPC, capacity providers, HTTPS with an existing certificate,
 * one web service `api` on api.example.com), fresh on every call, for cases to extend or break in
 * one place.
 */
export function minimalInput(): EnvironmentInput & { services: Service[] } {
  return {
    project: "acme-api",
    environment: "test",
    region: "eu-west-1",
    network: { mode: "create", cidr: "10.0.0.0/16", natGateways: "single" },
    capacity: {
      onDemand: { instanceTypes: ["m7i.large"], minSize: 1, maxSize: 2 },
      spot: { instanceTypes: ["m7i.large", "m6i.large"], minSize: 0, maxSize: 4 },
    },
    // With a certificate the service's host is how clients reach it (HTTP-only environments must route the ALB's DNS name).
    loadBalancer: { certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789" },
    services: [{ name: "api", image: "nginx", memory: 512, memoryReservation: 256, containerPort: 80, hostHeaders: ["api.example.com"] }],
  };
}

/** The problems validation reports for `input`, [] when it is valid; any error but a ConfigError fails the test. */
export function configProblems(input: unknown): readonly string[] {
  try {
    parseEnvironmentConfig(input);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

/**
 * Applies `change` to a deep copy of `base` and returns the ConfigError's message, or "valid";
 * any other error fails the test.
 */
export function validationMessage(base: EnvironmentInput, change: (input: any) => void): string {
  const input = structuredClone(base);
  change(input);
  try {
    parseEnvironmentConfig(input);
    return "valid";
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
}
