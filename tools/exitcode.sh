#!/bin/sh
# Translate QEMU's exit status after isa-debug-exit into the run's verdict.
case "$1" in
33) echo "qemu: exit 33: PASS"; exit 0 ;;
35) echo "qemu: exit 35: FAIL"; exit 1 ;;
37) echo "qemu: exit 37: PANIC"; exit 2 ;;
*)  echo "qemu: exit $1: no verdict (crash, reset or QEMU error)"; exit 3 ;;
esac
