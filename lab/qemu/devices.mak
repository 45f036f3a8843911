# The device set of the lab's qemu-system-aarch64 (lab/qemu/build copies it
# into the source as configs/devices/aarch64-softmmu/iommubench-lab.mak and
# configures --without-default-devices --with-devices-aarch64=iommubench-lab).
# Only what the arm64-smmuv2 target's command line uses: the `virt` machine
# (which selects its own UART, RTC, GIC, fw_cfg, PCIe host, virtio-mmio and,
# with lab/qemu/patches, the MMU-500 model), edu behind the SMMU, and 9p over
# virtio-mmio for the lab's shares. Every board and device QEMU builds by
# default besides these is left out: about a third of the compile.
CONFIG_ARM_VIRT=y
CONFIG_EDU=y
CONFIG_VIRTIO_9P=y
