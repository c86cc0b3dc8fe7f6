import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "cdktf.out/", ".build/", ".gen/", ".stryker-tmp/", "reports/"] },
  ...tseslint.configs.recommended,
  {
    rules: {
      // The provider's barrel loads ~2,200 modules (10 s, 700 MB per synth): import lib/<resource> instead.
      "no-restricted-imports": [
        "error",
        { paths: [{ name: "@cdktf/provider-aws", message: "Import the deep path, e.g. @cdktf/provider-aws/lib/ecs-service." }] },
      ],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.cjs"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["__tests__/**/*.ts"],
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
