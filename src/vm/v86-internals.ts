// Where we reach into v86: our 9p shares, the exit port, guest resets. v86 has one virtio-9p device of its own (tag `host9p`, backed by
// `filesystem.handle9p`); the guest protocol wants two (root `rootfs` read-only, `out` writable,
// as under QEMU), so the second one is a VirtIO device we construct with v86's own VirtIO class.
//
// This reaches into v86 internals (cpu.devices, cpu.io, cpu.reboot_internal, VirtIO options,
// virtqueue methods), whose names survive in the published build. package.json pins v86 to one exact version for that reason, and
// test/vm/v86.test.ts boots a guest through both devices, so an upgrade that breaks this fails there.
import type { HostShare } from "./p9/host-share.js";

interface BufferChain {
  length_readable: number;
  get_next_blob(into: Uint8Array): void;
  set_next_blob(from: Uint8Array): void;
}
interface VirtQueue {
  has_request(): boolean;
  pop_request(): BufferChain;
  push_reply(chain: BufferChain): void;
  flush_replies(): void;
  notify_me_after(n: number): void;
}
interface VirtIODevice {
  queues: VirtQueue[];
  constructor: new (cpu: unknown, options: unknown) => VirtIODevice;
}
interface Cpu {
  reboot_internal?: () => void;
  main_loop?: () => number;
  devices: { virtio_9p?: { virtio: VirtIODevice } };
  io: { register_write(port: number, device: object, w8?: (v: number) => void, w16?: (v: number) => void, w32?: (v: number) => void): void };
}

/** The emulator's CPU object (after "emulator-loaded"). */
export function emulatorCpu(emulator: unknown): Cpu {
  const cpu = (emulator as { v86?: { cpu?: Cpu } }).v86?.cpu;
  if (!cpu?.io || !cpu.devices) throw new Error("v86 internals changed: emulator.v86.cpu.{io,devices} not found");
  return cpu;
}

/** `filesystem.handle9p` for v86's own device. */
export function handle9p(share: HostShare) {
  return (request: Uint8Array, reply: (message: Uint8Array) => void): void => {
    void share.handle(request).then(reply);
  };
}

// virtio-9p: PCI device 0x1049; feature bits MOUNT_TAG (0), VERSION_1 (32), RING_EVENT_IDX (29),
// INDIRECT_DESC (28), as v86's own device offers. PCI slot 13 and ports 0xE600-0xE9FF are unused by v86.
const EXTRA_DEVICE = { pci_id: 13 << 3, device_specific: 0xe600, isr: 0xe700, common: 0xe800, notification: 0xe900 };

/** Adds a second virtio-9p device with `tag`, served by `share`. Call before the emulator runs. */
export function addShareDevice(cpu: Cpu, tag: string, share: HostShare): void {
  const builtin = cpu.devices.virtio_9p?.virtio;
  if (!builtin?.constructor) throw new Error("v86 internals changed: no virtio_9p device to take the VirtIO class from");
  const tagBytes = new TextEncoder().encode(tag);
  // Filled in once the device exists; requests only arrive after the guest has set the queue up.
  const ready: { queue?: VirtQueue } = {};
  const serve = (chain: BufferChain) => {
    const request = new Uint8Array(chain.length_readable);
    chain.get_next_blob(request);
    void share.handle(request).then((message) => {
      chain.set_next_blob(message);
      ready.queue?.push_reply(chain);
      ready.queue?.flush_replies();
    });
  };
  const device = new builtin.constructor(cpu, {
    name: `virtio-9p-${tag}`,
    pci_id: EXTRA_DEVICE.pci_id,
    device_id: 0x1049,
    subsystem_device_id: 9,
    common: {
      initial_port: EXTRA_DEVICE.common,
      queues: [{ size_supported: 32, notify_offset: 0 }],
      features: [0, 32, 29, 28],
      on_driver_ok: () => {},
    },
    notification: {
      initial_port: EXTRA_DEVICE.notification,
      single_handler: false,
      handlers: [
        () => {
          const queue = ready.queue;
          if (!queue) return;
          while (queue.has_request()) serve(queue.pop_request());
          queue.notify_me_after(0);
        },
      ],
    },
    isr_status: { initial_port: EXTRA_DEVICE.isr },
    device_specific: {
      initial_port: EXTRA_DEVICE.device_specific,
      struct: [
        { bytes: 2, name: "mount tag length", read: () => tagBytes.length, write: () => {} },
        ...Array.from(tagBytes, (byte, i) => ({ bytes: 1, name: `mount tag name ${i}`, read: () => byte, write: () => {} })),
      ],
    },
  });
  ready.queue = device.queues[0];
}

/** Calls `onWrite` with each byte the guest writes to `port` (replacing whatever was there). */
export function hookPortWrite(cpu: Cpu, port: number, onWrite: (value: number) => void): void {
  cpu.io.register_write(port, { name: "zilchboot-exit" }, onWrite, onWrite, onWrite);
}

/** Calls `onReset` instead of resetting the PC (reboot, triple fault, panic=-1): a reset would boot
 *  the kernel again and run the stage twice. */
export function hookReset(cpu: Cpu, onReset: () => void): void {
  if (typeof cpu.reboot_internal !== "function") throw new Error("v86 internals changed: cpu.reboot_internal not found");
  cpu.reboot_internal = onReset;
}

/** Once `ended()` says the run is over, an error from the CPU loop is dropped instead of escaping as
 *  an uncaught exception: after a triple fault our reset hook (above) leaves the CPU in a state
 *  v86's interpreter may panic on ("unreachable") in the slice before destroy() stops it. Errors
 *  while the run is live still propagate. */
export function guardCpuLoop(cpu: Cpu, ended: () => boolean): void {
  const loop = cpu.main_loop;
  if (typeof loop !== "function") throw new Error("v86 internals changed: cpu.main_loop not found");
  cpu.main_loop = () => {
    try {
      return loop();
    } catch (error) {
      if (ended()) return 1000;
      throw error;
    }
  };
}
