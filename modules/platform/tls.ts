/**
 * ALB security policies this platform accepts for HTTPS listeners: TLS 1.3 with 1.2 as the floor.
 * Kept free of cdktf so that the config schema (and tools that only read config) load without it.
 */
export const MODERN_TLS_POLICY = /^ELBSecurityPolicy-TLS13-1-[23]-/;
