#!/usr/bin/python3
"""An independent Modbus TCP peer for atmo's interoperability tests (Debian python3-pymodbus 3.0.0).

It lays out one value of every type in every word order with pymodbus's own BinaryPayloadBuilder,
so atmo's decoder is checked against an encoder it shares no code with; and it decodes what atmo
writes with pymodbus's BinaryPayloadDecoder, printing one CHECK line per value.

usage: /usr/bin/python3 pymodbus_peer.py LIFETIME_S
prints "serving 127.0.0.1:PORT", then, once holding register 199 is written non-zero,
"CHECK <name> ok <value>" or "CHECK <name> FAIL <value>" per value and "DONE".
Register map (protocol addresses, zero_mode): holding and input 0..25 hold the known values,
coils and discrete inputs 0..3 hold 1 0 1 1, holding 100..125 receive atmo's writes.
Keep LAYOUT and the values in step with pymodbus_interop_tests.cpp.
"""
import asyncio
import logging
import os
import struct
import sys

from pymodbus.constants import Endian
from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.payload import BinaryPayloadBuilder, BinaryPayloadDecoder
from pymodbus.server import StartAsyncTcpServer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from free_port import free_port  # noqa: E402  (tests/free_port.py)

ORDERS = {  # atmo's word order -> pymodbus (byteorder, wordorder)
    "abcd": (Endian.Big, Endian.Big),
    "cdab": (Endian.Big, Endian.Little),
    "badc": (Endian.Little, Endian.Big),
    "dcba": (Endian.Little, Endian.Little),
}
READ_VALUES = {"u16": 54321, "i16": -1234, "u32": 4000000000, "i32": -123456789, "f32": -273.15}
WRITE_VALUES = {"u16": 12345, "i16": -32000, "u32": 3000000001, "i32": -987654321, "f32": 1013.25}
WRITE_BASE = 100
TRIGGER = 199


def layout():
    """(name, type, order, offset): u16 and i16 once, the 32-bit types in every order."""
    out = [("u16", "u16", "abcd", 0), ("i16", "i16", "abcd", 1)]
    for k, order in enumerate(ORDERS):
        for j, t in enumerate(("u32", "i32", "f32")):
            out.append((f"{t}_{order}", t, order, 2 + 6 * k + 2 * j))
    return out


def encode(t, order, value):
    byteorder, wordorder = ORDERS[order]
    if t in ("u16", "i16"):  # 16-bit values have no word order; Modbus sends them big-endian
        byteorder, wordorder = Endian.Big, Endian.Big
    b = BinaryPayloadBuilder(byteorder=byteorder, wordorder=wordorder)
    {"u16": b.add_16bit_uint, "i16": b.add_16bit_int, "u32": b.add_32bit_uint,
     "i32": b.add_32bit_int, "f32": b.add_32bit_float}[t](value)
    return b.to_registers()


def decode(t, order, registers):
    byteorder, wordorder = ORDERS[order]
    if t in ("u16", "i16"):
        byteorder, wordorder = Endian.Big, Endian.Big
    d = BinaryPayloadDecoder.fromRegisters(registers, byteorder=byteorder, wordorder=wordorder)
    return {"u16": d.decode_16bit_uint, "i16": d.decode_16bit_int, "u32": d.decode_32bit_uint,
            "i32": d.decode_32bit_int, "f32": d.decode_32bit_float}[t]()


def expected(t, value):
    return struct.unpack("f", struct.pack("f", value))[0] if t == "f32" else value


class CheckingBlock(ModbusSequentialDataBlock):
    """Holding registers that verify atmo's writes once the trigger register is written."""

    def __init__(self, values, done):
        super().__init__(0, values)
        self.done = done

    def setValues(self, address, values):  # noqa: N802 (pymodbus's name)
        super().setValues(address, values)
        if address <= TRIGGER < address + len(values) and values[TRIGGER - address]:
            for name, t, order, offset in layout():
                width = 1 if t in ("u16", "i16") else 2
                got = decode(t, order, self.getValues(WRITE_BASE + offset, width))
                status = "ok" if got == expected(t, WRITE_VALUES[t]) else "FAIL"
                print(f"CHECK {name} {status} {got!r}", flush=True)
            print("DONE", flush=True)
            self.done.set()



async def main(lifetime):
    logging.basicConfig(level=logging.CRITICAL)  # 3.0.0 logs every client disconnect at ERROR
    done = asyncio.Event()
    registers = [0] * 256
    for _, t, order, offset in layout():
        words = encode(t, order, READ_VALUES[t])
        registers[offset:offset + len(words)] = words
    bits = [1, 0, 1, 1] + [0] * 60
    store = ModbusSlaveContext(hr=CheckingBlock(list(registers), done),
                               ir=ModbusSequentialDataBlock(0, list(registers)),
                               co=ModbusSequentialDataBlock(0, list(bits)),
                               di=ModbusSequentialDataBlock(0, list(bits)), zero_mode=True)
    context = ModbusServerContext(slaves=store, single=True)
    port = free_port()  # 3.0.0 cannot report the port it bound to 0
    server = asyncio.create_task(StartAsyncTcpServer(context=context, address=("127.0.0.1", port)))
    print(f"serving 127.0.0.1:{port}", flush=True)
    waiter = asyncio.create_task(done.wait())
    await asyncio.wait({server, waiter}, timeout=lifetime, return_when=asyncio.FIRST_COMPLETED)
    await asyncio.sleep(0.2)  # let the write reply reach atmo before the socket closes
    server.cancel()


if __name__ == "__main__":
    asyncio.run(main(float(sys.argv[1]) if len(sys.argv) > 1 else 30.0))
