// The kernel builder's version, apart from the builder so that reading it (kit-lock checks) loads
// no build code. Bump it when build-kernel.ts's steps or environment change: it is part of the
// kernel's build-cache key and of its kit-lock.json entry.
export const KERNEL_BUILDER_VERSION =
  "zilchboot-kernel/3 ARCH= tinyconfig+merge_config -m common arch+olddefconfig; vmlinux bzImage; KBUILD_BUILD_* TZ SOURCE_DATE_EPOCH fixed";
