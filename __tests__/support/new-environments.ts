import { ENVIRONMENTS } from "../../stacks/environments";

/** The registered environment names, in registry order (what every "known: ..." message lists). */
export const REGISTERED = Object.keys(ENVIRONMENTS);

/** A valid environment name that is not registered: `base`, or `base` with a digit, so adding environments never breaks a test. */
export function unregisteredName(base = "qa"): string {
  for (let suffix = 0; ; suffix++) {
    const name = suffix === 0 ? base : `${base}${suffix}`;
    if (!Object.hasOwn(ENVIRONMENTS, name)) return name;
  }
}

/** Fills every new-env placeholder of an environment file with a value of the right shape for environment `env`, as a user would. */
export function fillPlaceholders(text: string, env: string): string {
  const values: Array<[RegExp, string]> = [
    [/account id/, "210987654321"],
    [/Terraform Cloud workspace/, `acme-api-${env}`],
    [/state key/, `acme-api/${env}/terraform.tfstate`],
    [/ACM certificate ARN/, "arn:aws:acm:eu-west-1:210987654321:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"],
    [/CIDR allowed to reach/, "203.0.113.0/24"],
    [/registry credentials secret ARN/, "arn:aws:secretsmanager:eu-west-1:210987654321:secret:registry-credentials-AbCdEf"],
    [/SNS topic ARN/, `arn:aws:sns:eu-west-1:210987654321:alerts-${env}`],
    [/IAM OIDC provider ARN/, "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com"],
    [/CIDR \(\/16/, "10.30.0.0/16"],
    [/host name of service (\S+) in/, `$1.${env}.example.com`],
    [/e-mail/, `${env}-team@example.com`],
    [/names a host/, `http://api.${env}.example.com/internal/refresh-feeds?batch=100`],
    [/hosted zone/, "Z9876543210ZYXWVUTSRQ"],
    [/domain of/, `api.${env}.example.com`],
    [/another domain/, `admin.${env}.example.com`],
    [/VPC id/, "vpc-0f0e0d0c0b0a09080"],
    [/public subnet/, "subnet-0f0e0d0c0b0a0PUB"],
    [/instance subnet/, "subnet-0f0e0d0c0b0a0INS"],
    [/secret (\S+) in/, `arn:aws:ssm:eu-west-1:210987654321:parameter/acme-api/${env}/$1`],
    [/OIDC subject/, `repo:acme/acme-api:environment:${env}`],
  ];
  let counter = 0;
  return text.replace(/"FILL-ME: ([^"]*)"/g, (_match, what: string) => {
    const found = values.find(([pattern]) => pattern.test(what));
    if (!found) throw new Error(`no test value for placeholder: ${what}`);
    counter += 1;
    const value = found[1].replace("$1", what.match(found[0])?.[1] ?? "");
    // Subnets need distinct valid ids.
    return JSON.stringify(value.replace(/PUB|INS/, (kind) => `${kind === "PUB" ? "a" : "b"}${counter.toString(16).padStart(2, "0")}`));
  });
}
