"""The devices at the far end of the RTU figure's line: Debian's pymodbus 3.0 serial server answering
units 1..UNITS, each with REGISTERS input registers (atmo's simulator serves Modbus TCP only).

    /usr/bin/python3 rtu_device.py DEVICE_PATH UNITS REGISTERS BAUD PARITY(N|E|O) STOP_BITS
"""

import asyncio
import logging
import sys

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


def main():
    device, units, registers, baud, parity, stop_bits = (sys.argv[1], int(sys.argv[2]), int(sys.argv[3]),
                                                         int(sys.argv[4]), sys.argv[5], int(sys.argv[6]))
    logging.basicConfig(level=logging.WARNING)
    slaves = {
        unit: ModbusSlaveContext(ir=ModbusSequentialDataBlock(0, [unit * 100 + i for i in range(registers + 1)]),
                                 zero_mode=True)
        for unit in range(1, units + 1)
    }
    context = ModbusServerContext(slaves=slaves, single=False)
    asyncio.run(StartAsyncSerialServer(context=context, framer=ModbusRtuFramer, port=device, baudrate=baud,
                                       bytesize=8, parity=parity, stopbits=stop_bits, ignore_missing_slaves=True))


if __name__ == "__main__":
    main()
