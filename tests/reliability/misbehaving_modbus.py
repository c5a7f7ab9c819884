#!/usr/bin/python3
"""A Modbus TCP server that misbehaves on request, for atmo's device-fault soak.

Written on raw asyncio sockets (no Modbus library) so it can break the protocol in ways a correct
server library never would: replies with the wrong transaction id or unit id, truncated frames,
connection resets, hangs, slow replies, exception replies and out-of-range values.

usage: /usr/bin/python3 misbehaving_modbus.py --units 1,2,3 --tag 3000
prints "serving 127.0.0.1:PORT" once listening, then reads commands on stdin, one per line, and
answers each with one line on stdout ("ok ..." or "error ..."):

  mode UNIT normal|hang|slow MS|exception CODE|garbage|wrong_tid|wrong_unit|truncated|reset
  reboot UNIT                 holding registers back to 0 (a device that lost its state)
  get UNIT holding|input ADDR -> ok VALUE
  requests UNIT SINCE_MS      -> ok T1 T2 ...  (wall-clock ms of each request for UNIT after SINCE_MS)
  quit

Every unit serves the register map of tests/reliability/profiles/reliability-probe.yaml:
  input 0    temperature, i16 x0.1 C:  200 + unit (20.0 + unit/10 C)
  input 1    identity, u16:            TAG + unit (tells one unit's data from another's)
  holding 0  level, u16 x0.1 %:        whatever atmo wrote (0 after a reboot)
Wrong replies carry values that are *in range but wrong*, so a reply that slipped through as good
would be caught by the test comparing stored values with the expected ones.
"""
import argparse
import asyncio
import socket
import struct
import sys
import time

READ_COILS, READ_DISCRETE, READ_HOLDING, READ_INPUT = 1, 2, 3, 4
WRITE_SINGLE, WRITE_MULTIPLE = 6, 16
REGISTERS = 16


def now_ms():
    return int(time.time() * 1000)


class Unit:
    def __init__(self, unit, tag):
        self.unit = unit
        self.tag = tag
        self.mode = "normal"
        self.arg = 0
        self.holding = [0] * REGISTERS
        self.requests = []  # wall-clock ms of every request addressed to this unit

    def input_registers(self):
        regs = [0] * REGISTERS
        regs[0] = 200 + self.unit
        regs[1] = self.tag + self.unit
        return regs


class Server:
    def __init__(self, units, tag):
        self.units = {u: Unit(u, tag) for u in units}
        self.connections = set()

    # -- protocol -----------------------------------------------------------------------------
    @staticmethod
    def frame(tid, unit, pdu):
        return struct.pack(">HHHB", tid, 0, len(pdu) + 1, unit) + pdu

    @staticmethod
    def exception(function, code):
        return struct.pack(">BB", function | 0x80, code)

    def answer(self, unit, pdu, values_from=None):
        """The correct PDU for a request (values read from `values_from`, default `unit`)."""
        source = values_from or unit
        function = pdu[0]
        if function in (READ_HOLDING, READ_INPUT) and len(pdu) >= 5:
            start, count = struct.unpack(">HH", pdu[1:5])
            if count < 1 or count > 125 or start + count > REGISTERS:
                return self.exception(function, 2)
            table = source.holding if function == READ_HOLDING else source.input_registers()
            words = table[start:start + count]
            return struct.pack(">BB", function, 2 * count) + struct.pack(">%dH" % count, *words)
        if function == WRITE_SINGLE and len(pdu) >= 5:
            addr, value = struct.unpack(">HH", pdu[1:5])
            if addr >= REGISTERS:
                return self.exception(function, 2)
            unit.holding[addr] = value
            return pdu[:5]
        if function == WRITE_MULTIPLE and len(pdu) >= 6:
            start, count, nbytes = struct.unpack(">HHB", pdu[1:6])
            if start + count > REGISTERS or nbytes != 2 * count or len(pdu) < 6 + nbytes:
                return self.exception(function, 2)
            unit.holding[start:start + count] = struct.unpack(">%dH" % count, pdu[6:6 + nbytes])
            return pdu[:5]
        return self.exception(function, 1)

    def garbage(self, pdu):
        """A well-formed reply whose values are outside every range of the probe profile."""
        function = pdu[0]
        if function in (READ_HOLDING, READ_INPUT) and len(pdu) >= 5:
            _, count = struct.unpack(">HH", pdu[1:5])
            count = max(1, min(count, 125))
            return struct.pack(">BB", function, 2 * count) + struct.pack(">%dH" % count, *([0x7FFF] * count))
        return pdu[:5]

    def off_by_one(self, unit, pdu):
        """A plausible reply with wrong (but in-range) values, as a stale reply would carry."""
        reply = bytearray(self.answer(unit, pdu))
        if reply[0] in (READ_HOLDING, READ_INPUT) and len(reply) >= 4:
            for i in range(2, len(reply), 2):
                word = struct.unpack(">H", reply[i:i + 2])[0]
                reply[i:i + 2] = struct.pack(">H", (word + 1) % 10000)
        return bytes(reply)

    @staticmethod
    def send_late(writer, frame):
        if not writer.is_closing():
            writer.write(frame)

    async def serve(self, reader, writer):
        self.connections.add(writer)
        try:
            while True:
                header = await reader.readexactly(7)
                tid, _, length, unit_id = struct.unpack(">HHHB", header)
                if length < 2 or length > 260:
                    break
                pdu = await reader.readexactly(length - 1)
                unit = self.units.get(unit_id)
                if unit is None:
                    continue  # no such unit: no answer, as a gateway behaves
                unit.requests.append(now_ms())
                mode, arg = unit.mode, unit.arg
                if mode == "hang":
                    continue
                if mode == "reset":
                    sock = writer.get_extra_info("socket")
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    writer.transport.abort()
                    return
                if mode == "slow":
                    # Late, but without holding up the other units: the reply overtakes nothing and
                    # arrives when the client may already wait for another unit's answer.
                    late = self.frame(tid, unit_id, self.answer(unit, pdu))
                    asyncio.get_running_loop().call_later(arg / 1000.0, self.send_late, writer, late)
                elif mode == "exception":
                    writer.write(self.frame(tid, unit_id, self.exception(pdu[0], arg)))
                elif mode == "garbage":
                    writer.write(self.frame(tid, unit_id, self.garbage(pdu)))
                elif mode == "wrong_tid":
                    writer.write(self.frame((tid + 0x5555) & 0xFFFF, unit_id, self.off_by_one(unit, pdu)))
                elif mode == "wrong_unit":
                    others = sorted(u for u in self.units if u != unit_id) or [unit_id]
                    other = self.units[others[0]]
                    writer.write(self.frame(tid, other.unit, self.answer(unit, pdu, values_from=other)))
                elif mode == "truncated":
                    full = self.frame(tid, unit_id, self.answer(unit, pdu))
                    writer.write(full[:max(8, len(full) // 2)])  # the header promises more than comes
                else:
                    writer.write(self.frame(tid, unit_id, self.answer(unit, pdu)))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        finally:
            self.connections.discard(writer)
            try:
                writer.close()
            except Exception:  # noqa: BLE001 - the socket may be gone already
                pass

    # -- control ------------------------------------------------------------------------------
    def command(self, words):
        if not words:
            return "error empty command"
        verb = words[0]
        if verb == "quit":
            return None
        try:
            unit = self.units[int(words[1])]
        except (IndexError, ValueError, KeyError):
            return "error no such unit"
        if verb == "mode" and len(words) >= 3:
            mode = words[2]
            needs_arg = mode in ("slow", "exception")
            if mode not in ("normal", "hang", "slow", "exception", "garbage", "wrong_tid", "wrong_unit",
                            "truncated", "reset"):
                return "error unknown mode " + mode
            if needs_arg and len(words) < 4:
                return "error mode %s needs a number" % mode
            unit.mode, unit.arg = mode, int(words[3]) if needs_arg else 0
            return "ok %s" % mode
        if verb == "reboot":
            unit.holding = [0] * REGISTERS
            return "ok"
        if verb == "get" and len(words) >= 4:
            table = unit.holding if words[2] == "holding" else unit.input_registers()
            return "ok %d" % table[int(words[3])]
        if verb == "requests" and len(words) >= 3:
            since = int(words[2])
            return "ok " + " ".join(str(t) for t in unit.requests if t > since)
        return "error unknown command"


async def control(server, stop):
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:  # the test is gone: stop serving
            break
        reply = server.command(line.split())
        if reply is None:
            break
        print(reply, flush=True)
    stop.set()


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", required=True, help="comma-separated unit ids")
    parser.add_argument("--tag", type=int, default=0, help="added to the unit id in input register 1")
    args = parser.parse_args()
    server = Server([int(u) for u in args.units.split(",")], args.tag)
    listener = await asyncio.start_server(server.serve, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    print("serving 127.0.0.1:%d" % port, flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().create_task(control(server, stop))
    await stop.wait()
    listener.close()
    for w in list(server.connections):
        w.transport.abort()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
