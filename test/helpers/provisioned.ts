// The real kernel and seed for VM tests, provided the same way the CLI does (cached after the
// first build). Tests boot real QEMU guests with them.
import os from "node:os";
import { provideKernel, provideSeed, type KernelChoice, type ProvisionOptions } from "../../src/provision.js";

export { tempDir } from "./home.js";

const options: ProvisionOptions = { mirrors: [], progress: false, log: () => {}, verbose: false, jobs: os.availableParallelism() };

let provided: Promise<{ kernel: KernelChoice; seed: string }> | undefined;

export function provisioned(): Promise<{ kernel: KernelChoice; seed: string }> {
  provided ??= (async () => {
    const kernel = await provideKernel(undefined, options);
    const seed = await provideSeed(undefined, options);
    return { kernel, seed: seed.path };
  })();
  return provided;
}
