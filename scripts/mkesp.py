#!/usr/bin/env python3
"""Assembles build/esp/: the EFI system partition tree a firmware boots.

  EFI/BOOT/BOOTX64.EFI   the loader
  hv/hv.cfg              the configuration
  hv/hv.elf              the hypervisor
  hv/<image>             each partition image, under its own file name
  linux/vmlinuz          the Linux guest's kernel (docs/linux-guest.md)
  linux/initrd.img       and its initramfs, both copied as they are

Files are replaced only when their content changed, so an emulator that
has the directory open sees a consistent tree.  The ELF files go onto the
ESP without debug information (the build directory keeps the full ones
for debuggers).  Called by meson.
"""
import argparse
import os
import shutil
import subprocess
import tempfile


def install(src, dst):
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    if os.path.exists(dst):
        with open(src, "rb") as a, open(dst, "rb") as b:
            if a.read() == b.read():
                return
    tmp = dst + ".tmp"
    shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def install_stripped(objcopy, src, dst):
    with tempfile.TemporaryDirectory() as tmp:
        stripped = os.path.join(tmp, os.path.basename(src))
        subprocess.run([objcopy, '--strip-debug', src, stripped], check=True)
        install(stripped, dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--stamp", required=True)
    ap.add_argument("--efi", required=True)
    ap.add_argument("--hv", required=True)
    ap.add_argument("--config", required=True)
    ap.add_argument("--image", action="append", default=[])
    ap.add_argument("--objcopy", default="objcopy")
    ap.add_argument("--linux-kernel", help="bzImage to copy to linux/vmlinuz")
    ap.add_argument("--linux-initrd", help="initramfs to copy to linux/initrd.img")
    args = ap.parse_args()

    install(args.efi, os.path.join(args.out, "EFI", "BOOT", "BOOTX64.EFI"))
    install(args.config, os.path.join(args.out, "hv", "hv.cfg"))
    install_stripped(args.objcopy, args.hv, os.path.join(args.out, "hv", "hv.elf"))
    for image in args.image:
        install_stripped(args.objcopy, image, os.path.join(args.out, "hv", os.path.basename(image)))
    if args.linux_kernel:
        install(args.linux_kernel, os.path.join(args.out, "linux", "vmlinuz"))
    if args.linux_initrd:
        install(args.linux_initrd, os.path.join(args.out, "linux", "initrd.img"))
    with open(args.stamp, "w") as f:
        f.write("esp assembled\n")


if __name__ == "__main__":
    main()
