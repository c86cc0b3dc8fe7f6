/**
 * The identity providers CI can federate from: issuer host and the audience its tokens carry.
 * Without cdktf, so that config validation can check provider ARNs against it.
 */
export const CI_OIDC_ISSUERS = {
  github: { host: "token.actions.githubusercontent.com", audience: "sts.amazonaws.com" },
  gitlab: { host: "gitlab.com", audience: "https://gitlab.com" },
} as const;
