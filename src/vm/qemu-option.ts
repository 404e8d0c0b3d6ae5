// QEMU parses `-fsdev`, `-chardev`, `-drive`… values as comma-separated key=value lists, so a
// comma inside a value (a home directory such as /home/a,b) would end it and start another
// option. QEMU's escape for a literal comma is two commas.

/** `value` as one QEMU option value: every comma doubled. */
export function qemuOptionValue(value: string): string {
  return value.replaceAll(",", ",,");
}
