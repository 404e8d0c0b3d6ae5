// Process-tree facts from /proc (Linux): which processes a test's child started, and whether
// they are still alive. Used to prove a session's QEMU is gone, and to kill exactly that QEMU.
import fs from "node:fs";

function parentOf(pid: number): number | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // Field 4 follows the command name, which is in parentheses and may contain spaces.
    return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  } catch {
    return null;
  }
}

export function commandOf(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

/** Every live process below `root`. */
export function descendants(root: number): number[] {
  const pids = fs.readdirSync("/proc").filter((name) => /^\d+$/.test(name)).map(Number);
  const found: number[] = [];
  let frontier = [root];
  while (frontier.length > 0) {
    const children = pids.filter((pid) => frontier.includes(parentOf(pid) ?? -1));
    found.push(...children);
    frontier = children;
  }
  return found;
}

/** The QEMU process started (through setpriv) somewhere below `root`, once it runs. */
export async function findQemu(root: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const qemu = descendants(root).find((pid) => commandOf(pid).startsWith("qemu-system-x86_64 "));
    if (qemu) return qemu;
    if (Date.now() > deadline) throw new Error(`no QEMU below process ${root} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function alive(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // A zombie has ended; only its parent has not collected it yet.
    return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
