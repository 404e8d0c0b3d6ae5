// Chooses QEMU's window backend for `boot-iso --display`, or says clearly why there can be none.
import { execa } from "execa";
import { ZilchError } from "../errors.js";

/** Window backends in order of preference; curses/egl-headless/dbus are not windows. */
const WINDOW_BACKENDS = ["gtk", "sdl", "cocoa"];

/** Backend names from `qemu -display help` (one per line after a header). */
export function listedDisplays(helpOutput: string): string[] {
  return helpOutput.split("\n").map((line) => line.trim()).filter((line) => /^[a-z][a-z0-9-]*$/.test(line));
}

/** The window backend to use, or a ZilchError naming what is missing. Pure: tests pass their own facts. */
export function chooseDisplay(helpOutput: string, platform: NodeJS.Platform, env: NodeJS.ProcessEnv, qemu: string): string {
  // X11 and Wayland clients need a session to talk to; macOS and Windows always have a desktop.
  if (platform !== "darwin" && platform !== "win32" && !env.DISPLAY && !env.WAYLAND_DISPLAY) {
    throw new ZilchError({
      code: "HOST",
      message: "--display needs a graphical session, but neither DISPLAY nor WAYLAND_DISPLAY is set",
      hint: "run without --display to use the serial console in this terminal, or log in with a desktop (or ssh -X)",
    });
  }
  const listed = listedDisplays(helpOutput);
  const chosen = WINDOW_BACKENDS.find((name) => listed.includes(name));
  if (!chosen) {
    throw new ZilchError({
      code: "HOST",
      message: `${qemu} has no window backend (its -display help lists ${listed.join(", ") || "nothing"}; none of ${WINDOW_BACKENDS.join(", ")})`,
      hint: platform === "linux" ? "install QEMU's GUI modules (Debian: `scripts/setup-host.sh --display`, or apt-get install qemu-system-gui)" : "install a QEMU build with a GUI",
    });
  }
  return chosen;
}

export async function windowDisplay(qemu: string): Promise<string> {
  const help = await execa(qemu, ["-display", "help"], { reject: false, all: true });
  if (help.failed && !help.all) {
    throw new ZilchError({ code: "HOST", message: `${qemu} is not runnable (${help.shortMessage})`, hint: "install QEMU (scripts/setup-host.sh) or pass --qemu BIN" });
  }
  return chooseDisplay(String(help.stdout ?? ""), process.platform, process.env, qemu);
}
