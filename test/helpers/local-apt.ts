// A real apt pointed at a repository of our own: .debs built with dpkg-deb, indexed with
// dpkg-scanpackages, served from a copy: URI (apt copies what it downloads, never links it) and
// read through APT_CONFIG (which apt-get and apt-cache honour), so a test can make Debian "drop" a
// version without touching the host's apt or the network.
import fs from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { sha256File } from "../../src/sha256.js";
import { tempDir } from "./home.js";

export interface LocalDeb {
  package: string;
  version: string;
  /** Path inside the package (no leading "./") → contents. */
  files: Record<string, string | Buffer>;
}

export interface BuiltDeb {
  path: string;
  sha256: string;
  size: number;
}

export interface LocalApt {
  /** The value for APT_CONFIG. */
  config: string;
  /** Builds a .deb (kept outside the repository unless published). */
  build(deb: LocalDeb): Promise<BuiltDeb>;
  /** Makes these .debs the repository's whole contents, then runs `apt-get update`. */
  publish(debs: BuiltDeb[]): Promise<void>;
  remove(): Promise<void>;
}

export async function localApt(): Promise<LocalApt> {
  const root = await tempDir("local-apt");
  const repo = path.join(root, "repo");
  const built = path.join(root, "built");
  const empty = path.join(root, "empty");
  for (const dir of [repo, built, empty, path.join(root, "lists", "partial"), path.join(root, "cache", "archives", "partial")]) {
    await fs.mkdir(dir, { recursive: true });
  }
  await fs.writeFile(path.join(root, "sources.list"), `deb [trusted=yes] copy:${repo} ./\n`);
  const config = path.join(root, "apt.conf");
  await fs.writeFile(
    config,
    [
      `Dir::Etc::SourceList "${root}/sources.list";`,
      `Dir::Etc::SourceParts "${empty}";`,
      `Dir::Etc::PreferencesParts "${empty}";`,
      `Dir::State::Lists "${root}/lists";`,
      `Dir::Cache "${root}/cache";`,
      `Acquire::Languages "none";`,
      // The temp dirs are not the _apt user's to enter; as root apt would warn on every fetch.
      `APT::Sandbox::User "root";`,
      "",
    ].join("\n"),
  );
  const env = { APT_CONFIG: config, LC_ALL: "C" };
  return {
    config,
    async build(deb) {
      const tree = await fs.mkdtemp(path.join(root, "tree-"));
      await fs.mkdir(path.join(tree, "DEBIAN"));
      await fs.writeFile(
        path.join(tree, "DEBIAN", "control"),
        `Package: ${deb.package}\nVersion: ${deb.version}\nArchitecture: all\nMaintainer: zilchboot tests <tests@invalid>\nDescription: test package\n`,
      );
      for (const [name, contents] of Object.entries(deb.files)) {
        await fs.mkdir(path.join(tree, path.dirname(name)), { recursive: true });
        await fs.writeFile(path.join(tree, name), contents);
      }
      const file = path.join(built, `${deb.package}_${deb.version}_all.deb`);
      await execa("dpkg-deb", ["--root-owner-group", "--build", tree, file], { env });
      return { path: file, sha256: await sha256File(file), size: (await fs.stat(file)).size };
    },
    async publish(debs) {
      for (const name of await fs.readdir(repo)) await fs.rm(path.join(repo, name), { force: true });
      for (const deb of debs) await fs.copyFile(deb.path, path.join(repo, path.basename(deb.path)));
      const { stdout } = await execa("dpkg-scanpackages", ["--multiversion", "."], { cwd: repo, env });
      // An empty index must be an empty file: a lone newline is a stanza without a Package field.
      await fs.writeFile(path.join(repo, "Packages"), stdout ? `${stdout}\n` : "");
      await execa("apt-get", ["update", "-qq"], { env });
    },
    remove: () => fs.rm(root, { recursive: true, force: true }),
  };
}
