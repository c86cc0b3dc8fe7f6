import { runApp } from "./stacks/app";
import { skipCreationTraces } from "./stacks/creation-traces";
import { ENVIRONMENTS } from "./stacks/environments";

// Creation traces are only read when a token fails to resolve: PLATFORM_DEBUG keeps them.
if (!process.env.PLATFORM_DEBUG) skipCreationTraces();

const code = runApp(ENVIRONMENTS, process.env, (text) => process.stderr.write(text));
if (code !== 0) process.exit(code);
