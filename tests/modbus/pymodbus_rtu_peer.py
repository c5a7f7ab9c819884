#!/usr/bin/python3
"""Modbus RTU units on one serial line, answering through Debian's python3-pymodbus 3.0.0, with the
faults a real RS-485 line shows: a unit that answers later than the master waits, a unit that
refuses with an exception, a stray frame left on the line. The frames' contents (decoding requests,
executing them on a datastore, encoding replies and CRCs) are pymodbus's; only the line discipline
(what to answer when) is this file's, so atmo's RTU master is checked against code it shares
nothing with. Each unit's replies are scheduled on their own, so a slow unit does not hold up a
neighbour on the same line.

usage: /usr/bin/python3 pymodbus_rtu_peer.py TTY LIFETIME_S UNIT [UNIT ...]
prints "ready" once the line is open, then reads commands on stdin, one per line, each answered
with one line on stdout:
  set UNIT TABLE ADDRESS VALUE    -> ok              (TABLE: holding, input, coil, discrete)
  get UNIT TABLE ADDRESS          -> value N
  late UNIT SECONDS               -> ok              every reply of UNIT after SECONDS (0: at once)
  exception UNIT CODE             -> ok              every request of UNIT refused with CODE (0: none)
  stray UNIT ADDRESS              -> ok              sends now, unasked, UNIT's reply to "read input ADDRESS"
  requests UNIT                   -> requests N      requests UNIT has received
Registers are protocol addresses 0..255 (zero_mode) in every table, all 0 at start.
"""
import asyncio
import logging
import os
import struct
import sys
import termios
import tty

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusSlaveContext
from pymodbus.factory import ServerDecoder
from pymodbus.pdu import ExceptionResponse
from pymodbus.register_read_message import ReadInputRegistersResponse
from pymodbus.utilities import checkCRC, computeCRC

TABLES = {"coil": 1, "discrete": 2, "holding": 3, "input": 4}  # pymodbus's datastore keys by function


def frame(unit, pdu):
    """unit, PDU and CRC, as pymodbus's RTU framer builds them."""
    packet = struct.pack(">B", unit) + pdu
    return packet + struct.pack(">H", computeCRC(packet))


def request_length(buffer):
    """The length of the request frame at the start of buffer, or None while it is incomplete."""
    if len(buffer) < 2:
        return None
    function = buffer[1]
    if function in (1, 2, 3, 4, 5, 6):
        return 8
    if function in (15, 16):
        return 9 + buffer[6] if len(buffer) >= 7 else None
    return len(buffer)  # unknown: take what there is, the CRC check rejects it


class Line:
    def __init__(self, path, units):
        self.fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
        tty.setraw(self.fd)
        termios.tcflush(self.fd, termios.TCIOFLUSH)
        self.units = {u: ModbusSlaveContext(di=ModbusSequentialDataBlock(0, [0] * 256),
                                            co=ModbusSequentialDataBlock(0, [0] * 256),
                                            hr=ModbusSequentialDataBlock(0, [0] * 256),
                                            ir=ModbusSequentialDataBlock(0, [0] * 256), zero_mode=True)
                      for u in units}
        self.late = {u: 0.0 for u in units}
        self.exception = {u: 0 for u in units}
        self.requests = {u: 0 for u in units}
        self.decoder = ServerDecoder()
        self.buffer = b""

    def on_readable(self):
        try:
            self.buffer += os.read(self.fd, 512)
        except BlockingIOError:
            return
        while True:
            n = request_length(self.buffer)
            if n is None or len(self.buffer) < n:
                return
            request, self.buffer = self.buffer[:n], self.buffer[n:]
            if len(request) < 4 or not checkCRC(request[:-2], struct.unpack(">H", request[-2:])[0]):
                self.buffer = b""  # out of step: wait for the line to carry a whole frame again
                return
            self.answer(request[0], request[1:-2])

    def answer(self, unit, pdu):
        if unit not in self.units:
            return  # nobody at this unit id: silence, as on a real line
        self.requests[unit] += 1
        request = self.decoder.decode(pdu)
        if request is None:
            reply = ExceptionResponse(pdu[0], 1)
        elif self.exception[unit]:
            reply = ExceptionResponse(request.function_code, self.exception[unit])
        else:
            reply = request.execute(self.units[unit])
        data = frame(unit, struct.pack(">B", reply.function_code) + reply.encode())
        delay = self.late[unit]
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self.send, data)
        else:
            self.send(data)

    def send(self, data):
        os.write(self.fd, data)

    def command(self, words):
        op = words[0]
        if op == "set":
            unit, table, address, value = int(words[1]), TABLES[words[2]], int(words[3]), int(words[4])
            self.units[unit].setValues(table, address, [value])
            return "ok"
        if op == "get":
            unit, table, address = int(words[1]), TABLES[words[2]], int(words[3])
            return f"value {self.units[unit].getValues(table, address, 1)[0]}"
        if op == "late":
            self.late[int(words[1])] = float(words[2])
            return "ok"
        if op == "exception":
            self.exception[int(words[1])] = int(words[2])
            return "ok"
        if op == "stray":
            unit, address = int(words[1]), int(words[2])
            values = self.units[unit].getValues(4, address, 1)
            reply = ReadInputRegistersResponse(values)
            self.send(frame(unit, struct.pack(">B", reply.function_code) + reply.encode()))
            return "ok"
        if op == "requests":
            return f"requests {self.requests[int(words[1])]}"
        return f"error unknown command {op}"


async def main(path, lifetime, units):
    logging.basicConfig(level=logging.CRITICAL)
    line = Line(path, units)
    loop = asyncio.get_running_loop()
    loop.add_reader(line.fd, line.on_readable)
    finished = asyncio.Event()

    pending = [b""]

    def on_stdin():
        # os.read, not sys.stdin: Python's buffer would keep lines the event loop never sees.
        chunk = os.read(sys.stdin.fileno(), 4096)
        if not chunk:
            finished.set()
            return
        pending[0] += chunk
        *lines, pending[0] = pending[0].split(b"\n")
        for text in lines:
            words = text.decode().split()
            if words:
                print(line.command(words), flush=True)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    print("ready", flush=True)
    try:
        await asyncio.wait_for(finished.wait(), timeout=lifetime)
    except asyncio.TimeoutError:
        pass
    await asyncio.sleep(0.5)  # replies still scheduled go out before the line closes


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], float(sys.argv[2]), [int(u) for u in sys.argv[3:]]))
