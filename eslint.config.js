import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "images/", ".zilch/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The web shell's browser script.
    files: ["src/web/static/**/*.js"],
    languageOptions: {
      sourceType: "script",
      globals: { window: "readonly", document: "readonly", location: "readonly", WebSocket: "readonly", URLSearchParams: "readonly", Terminal: "readonly" },
    },
  },
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
);
