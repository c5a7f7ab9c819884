"""A paced serial line for the RTU figure: two pseudo-terminals joined by a relay that passes bytes no
faster than a real RS-485 line at the given baud rate would (a socat pty pair moves them instantly,
whatever baud the ends configure).

    /usr/bin/python3 rtu_line.py --baud 9600 --bits-per-char 11 --links DIR

The client (atmo) opens DIR/client, the device (a Modbus RTU server) opens DIR/device. The line is
half duplex, like two-wire RS-485: one character at a time in either direction, each taking
bits-per-char / baud seconds, and a byte reaches the other end when its last bit would have. A device
starts its reply no sooner than 3.5 character times after the request's last byte (a compliant
slave's end-of-frame silence); the client's own silence before each request is not enforced here but
measured, since keeping it is the client's job. It prints one JSON line when ready, and on SIGTERM
(or SIGINT) one JSON line of what it saw: frames each way, the client's silence before requests,
the device's turnaround and how late the relay delivered bytes against its schedule.
"""

import argparse
import json
import os
import select
import signal
import statistics
import sys
import termios
import time
import tty

CLIENT, DEVICE = 0, 1
SPIN_S = 0.5e-3  # how long before a frame's last byte is due the relay stops sleeping and polls


class Line:
    def __init__(self, char_s):
        self.char_s = char_s
        self.free_at = 0.0          # when the last scheduled character leaves the wire
        self.last_dir = None        # who sent it
        self.queue = ([], [])       # per destination: (due time, byte)
        self.frames = [0, 0]        # frames sent by client, by device
        self.bytes = [0, 0]
        self.client_silence = []    # request's first byte arrival - previous reply's last byte delivery
        self.turnaround = []        # reply's first byte arrival - request's last byte delivery
        self.request_starts = []    # arrival time of each request's first byte
        self.lateness = []          # actual delivery - scheduled delivery, per frame's last byte
        self.last_delivered = [None, None]  # when the relay last wrote a byte to the client, to the device

    def arrive(self, sender, data, now):
        new_frame = self.last_dir != sender or now - self.free_at >= 3.5 * self.char_s
        for i, byte in enumerate(data):
            start = max(now, self.free_at)
            if new_frame and i == 0:
                self.frames[sender] += 1
                previous = self.last_delivered[sender]  # the other way's last byte, written to this sender
                if sender == CLIENT:
                    self.request_starts.append(now)
                    if previous is not None and self.last_dir == DEVICE:
                        self.client_silence.append(now - previous)
                else:
                    if previous is not None and self.last_dir == CLIENT:
                        self.turnaround.append(now - previous)
                        start = max(start, self.free_at + 3.5 * self.char_s)
            end = start + self.char_s
            self.free_at = end
            self.last_dir = sender
            self.queue[1 - sender].append((end, byte))
            self.bytes[sender] += 1

    def next_due(self):
        """(when, is_last): the next byte due, and whether it is the last one queued its way."""
        dues = [(q[0][0], len(q) == 1) for q in self.queue if q]
        return min(dues) if dues else (None, False)


def open_pty(link):
    master, slave = os.openpty()
    tty.setraw(slave)  # raw until the opener configures it: nothing may be echoed or translated
    attrs = termios.tcgetattr(slave)
    attrs[3] &= ~termios.ECHO
    termios.tcsetattr(slave, termios.TCSANOW, attrs)
    os.set_blocking(master, False)
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(os.ttyname(slave), link)
    return master, slave  # the slave stays open here, so the master never reads EIO between users


def summary(values, scale=1e3):
    if not values:
        return None
    ordered = sorted(values)
    return {"min": ordered[0] * scale, "median": statistics.median(ordered) * scale,
            "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))] * scale, "max": ordered[-1] * scale}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--baud", type=int, default=9600)
    parser.add_argument("--bits-per-char", type=int, default=11, help="start + data + parity + stop bits")
    parser.add_argument("--links", required=True, help="directory for the 'client' and 'device' links")
    args = parser.parse_args()
    char_s = args.bits_per_char / args.baud
    line = Line(char_s)
    masters = {}
    slaves = []
    for who, name in ((CLIENT, "client"), (DEVICE, "device")):
        m, s = open_pty(os.path.join(args.links, name))
        masters[who] = m
        slaves.append(s)
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(1))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(1))
    print(json.dumps({"ready": True, "client": os.path.join(args.links, "client"),
                      "device": os.path.join(args.links, "device"), "char_ms": char_s * 1e3}), flush=True)
    fd_of = {masters[CLIENT]: CLIENT, masters[DEVICE]: DEVICE}
    while not stopping:
        due, last = line.next_due()
        now = time.monotonic()
        # select() wakes ~0.1 ms late; a frame's last byte is what the receiver waits for, so spin for it.
        timeout = 0.2 if due is None else max(0.0, due - now - (SPIN_S if last else 0.0))
        try:
            readable, _, _ = select.select(list(fd_of), [], [], timeout)
        except InterruptedError:
            continue
        now = time.monotonic()
        for fd in readable:
            try:
                data = os.read(fd, 4096)
            except (BlockingIOError, OSError):
                continue
            if data:
                line.arrive(fd_of[fd], data, now)
        now = time.monotonic()
        for receiver in (CLIENT, DEVICE):
            q = line.queue[receiver]
            n = 0
            while n < len(q) and q[n][0] <= now:
                n += 1
            if n:
                os.write(masters[receiver], bytes(b for _, b in q[:n]))
                if n == len(q):  # the frame's (so far) last byte: record when it really arrived
                    line.lateness.append(now - q[n - 1][0])
                    line.last_delivered[receiver] = now
                del q[:n]
    starts = line.request_starts
    periods = [b - a for a, b in zip(starts, starts[1:])]
    print(json.dumps({
        "char_ms": char_s * 1e3, "requests": line.frames[CLIENT], "replies": line.frames[DEVICE],
        "bytes_from_client": line.bytes[CLIENT], "bytes_from_device": line.bytes[DEVICE],
        "client_silence_ms": summary(line.client_silence), "device_turnaround_ms": summary(line.turnaround),
        "request_period_ms": summary(periods), "delivery_lateness_ms": summary(line.lateness),
    }), flush=True)
    for fd in list(masters.values()) + slaves:
        os.close(fd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
