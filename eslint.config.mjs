// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import pulumi from "@pulumi/eslint-plugin";

/** no-restricted-imports patterns for a lib/ file: never Pulumi, the AWS SDK or the non-lib folders; nor the named lib domains. */
function libPatterns(above) {
  return [
    {
      group: ["@pulumi/*", "@aws-sdk/*", "@smithy/*"],
      message: "lib/ is pure: no Pulumi or AWS SDK imports.",
    },
    {
      group: [
        "**/components",
        "**/components/**",
        "**/provider",
        "**/provider/**",
        "**/sandbox",
        "**/sandbox/**",
        "**/policy",
        "**/policy/**",
        "**/cli",
        "**/cli/**",
      ],
      message: "lib/ never imports components/, provider/, sandbox/, policy/ or cli/.",
    },
    ...above.map((d) => ({
      group: [`../${d}/*`, `../../${d}/*`, `../../../${d}/*`],
      message: `this lib/ domain sits below lib/${d}/: move the shared rule down instead.`,
    })),
  ];
}

export default tseslint.config(
  { ignores: ["node_modules/**", "dist/**", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_" },
      ],
      "@typescript-eslint/no-require-imports": "off",
      "@typescript-eslint/no-explicit-any": "off",
    },
  },
  {
    // Pulumi's template-literal rules need type information: only where Outputs live.
    files: ["components/**/*.ts", "provider/**/*.ts", "examples/**/*.ts"],
    languageOptions: {
      parserOptions: { project: ["./tsconfig.json"], tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    // Import boundaries: lib/ is pure (no Pulumi, no AWS SDK, no resources, no sandbox); inside lib/ each domain
    // imports only core/ and the domains below it: core < claims < iam < login < esc (see ARCHITECTURE.md).
    files: ["lib/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: libPatterns([]) }] },
  },
  {
    files: ["lib/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: libPatterns(["claims", "iam", "login", "esc"]) },
      ],
    },
  },
  {
    files: ["lib/claims/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: libPatterns(["iam", "login", "esc"]) }],
    },
  },
  {
    files: ["lib/iam/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: libPatterns(["login", "esc"]) }] },
  },
  {
    files: ["lib/login/**/*.ts"],
    rules: { "no-restricted-imports": ["error", { patterns: libPatterns(["esc"]) }] },
  },
  {
    files: ["components/**/*.ts", "policy/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/sandbox", "**/sandbox/**", "**/provider/*Provider"],
              message: "components/ and policy/ never import the sandbox or provider internals.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ["provider/**/*.ts", "sandbox/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              group: ["**/components", "**/components/**"],
              message: "provider/ and sandbox/ never import components/.",
            },
          ],
        },
      ],
    },
  },
);
