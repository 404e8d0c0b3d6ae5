// Choosing the --display window backend from QEMU's own list and the session's environment.
import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseDisplay, listedDisplays } from "../../src/iso/display.js";

// `qemu-system-x86_64 -display help` of Debian's qemu-system-x86 with and without qemu-system-gui.
const WITH_GUI = "Available display backend types:\nnone\ngtk\nsdl\negl-headless\ncurses\nspice-app\ndbus\n";
const WITHOUT_GUI = "Available display backend types:\nnone\negl-headless\ncurses\nspice-app\ndbus\n";

test("the backend list is read from QEMU's help output, header excluded", () => {
  assert.deepEqual(listedDisplays(WITHOUT_GUI), ["none", "egl-headless", "curses", "spice-app", "dbus"]);
});

test("gtk is preferred, then sdl, then cocoa", () => {
  assert.equal(chooseDisplay(WITH_GUI, "linux", { DISPLAY: ":0" }, "qemu"), "gtk");
  assert.equal(chooseDisplay("none\nsdl\n", "linux", { WAYLAND_DISPLAY: "wayland-0" }, "qemu"), "sdl");
  assert.equal(chooseDisplay("none\ncocoa\n", "darwin", {}, "qemu"), "cocoa");
});

test("on Linux without DISPLAY or WAYLAND_DISPLAY, --display fails saying so and how to do without", () => {
  assert.throws(() => chooseDisplay(WITH_GUI, "linux", {}, "qemu"), (error: Error & { hint?: string }) => {
    assert.match(error.message, /--display needs a graphical session, but neither DISPLAY nor WAYLAND_DISPLAY is set/);
    assert.match(error.hint ?? "", /run without --display/);
    return true;
  });
});

test("a QEMU without window backends (like this host's, without qemu-system-gui) is named with what it has", () => {
  assert.throws(() => chooseDisplay(WITHOUT_GUI, "linux", { DISPLAY: ":0" }, "/usr/bin/qemu-system-x86_64"), (error: Error & { hint?: string }) => {
    assert.match(error.message, /\/usr\/bin\/qemu-system-x86_64 has no window backend \(its -display help lists none, egl-headless, curses, spice-app, dbus; none of gtk, sdl, cocoa\)/);
    assert.match(error.hint ?? "", /qemu-system-gui/);
    return true;
  });
});
