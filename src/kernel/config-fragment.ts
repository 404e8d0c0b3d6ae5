// Kconfig fragments and .config files as data. Kconfig silently drops options whose dependencies
// are unmet (9P_FS without INET in 6.1), so every requested option is checked after configuring.
import { ZilchError } from "../errors.js";

/** Option name without the CONFIG_ prefix → value as written ("y", "m", "n", "64", "\"str\""). */
export type KconfigValues = ReadonlyMap<string, string>;

/** A requested option that did not survive `make olddefconfig`. */
export interface MissingOption {
  option: string;
  requested: string;
  /** Its value in .config; undefined when .config does not mention it at all. */
  got: string | undefined;
}

const SET = /^CONFIG_([A-Za-z0-9_]+)=(.*)$/;
const NOT_SET = /^# CONFIG_([A-Za-z0-9_]+) is not set$/;

/**
 * Parses fragment or .config text. `# CONFIG_X is not set` means "n"; other comments and blank
 * lines are ignored; a later line wins, as in merge_config.sh. Anything else is a mistake in the
 * fragment (a typo there would otherwise be dropped as silently as Kconfig drops options).
 */
export function parseKconfig(text: string, source = "kconfig fragment"): KconfigValues {
  const values = new Map<string, string>();
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    const notSet = NOT_SET.exec(line);
    if (notSet) {
      values.set(notSet[1]!, "n");
      return;
    }
    if (line === "" || line.startsWith("#")) return;
    const set = SET.exec(line);
    if (!set) {
      throw new ZilchError({
        code: "KERNEL",
        message: `${source}:${index + 1}: cannot parse "${line}"`,
        hint: "use CONFIG_NAME=value or `# CONFIG_NAME is not set`",
      });
    }
    values.set(set[1]!, set[2]!);
  });
  return values;
}

/** The requested options whose final value differs from the request ("n" ≡ absent). */
export function missingOptions(fragment: KconfigValues, dotConfigText: string): MissingOption[] {
  const actual = parseKconfig(dotConfigText, ".config");
  const missing: MissingOption[] = [];
  for (const [option, requested] of fragment) {
    const got = actual.get(option);
    if ((got ?? "n") !== requested) missing.push({ option, requested, got });
  }
  return missing;
}

/** "9P_FS requested y, got not set" */
export function describeMissing({ option, requested, got }: MissingOption): string {
  const show = (value: string | undefined) => (value === undefined || value === "n" ? "not set" : value);
  return `${option} requested ${show(requested)}, got ${show(got)}`;
}

/** A fragment's text and where it came from (for error messages). */
export interface FragmentFile {
  source: string;
  text: string;
}

/** The options requested by fragments merged in order, as merge_config.sh does: a later line wins. */
export function mergeFragments(fragments: readonly FragmentFile[]): KconfigValues {
  const merged = new Map<string, string>();
  for (const { source, text } of fragments) {
    for (const [option, value] of parseKconfig(text, source)) merged.set(option, value);
  }
  return merged;
}
