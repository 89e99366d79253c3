"""tests/lib/qmp.py — the one QMP client of the test runners.

QEMU's machine protocol over a unix socket, as the walk suite (stop the VM,
`info registers -a`, `pmemsave`) and the screen suite (`screendump`) use it:
connect (retrying until `deadline`, a time.monotonic() value, because QEMU
creates the socket a moment after it starts), read the greeting, leave
capabilities negotiation, then one command at a time.  Asynchronous events
QEMU sends in between are skipped.  An error reply raises RuntimeError
naming the command; a closed connection raises EOFError.
"""

import json
import socket
import time


class Qmp:
    def __init__(self, path, deadline):
        while True:
            self.s = socket.socket(socket.AF_UNIX)
            try:
                self.s.connect(str(path))
                break
            except OSError:
                self.s.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.f = self.s.makefile("rwb")
        self._read()                                    # the greeting
        self.cmd("qmp_capabilities")

    def _read(self):
        while True:
            line = self.f.readline()
            if not line:
                raise EOFError("QMP closed")
            msg = json.loads(line)
            if "event" not in msg:
                return msg

    def cmd(self, name, **args):
        """Run one QMP command; its "return" value."""
        self.f.write(json.dumps({"execute": name, "arguments": args}).encode() + b"\n")
        self.f.flush()
        msg = self._read()
        if "error" in msg:
            raise RuntimeError("QMP %s: %s" % (name, msg["error"].get("desc", msg["error"])))
        return msg.get("return")

    def hmp(self, line):
        """A human-monitor command (e.g. `info registers -a`); its text."""
        return self.cmd("human-monitor-command", **{"command-line": line})
