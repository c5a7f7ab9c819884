"""A loopback TCP port for the Python process-level tests; the twin of tests/free_port.hpp.

Ports come from below the kernel's ephemeral range, in turn from a counter shared by every test
process through a locked file, so that a port handed out is not soon some other test's outgoing
source port (bind to 0 and close gave such ports, and a daemon then failed to listen on one).
"""
import fcntl
import os
import socket

FIRST = 20000
COUNT = 12000  # up to 31999, below the ephemeral range


def port_is_free(port):
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def counter_path():
    return os.path.join(os.environ.get("TMPDIR") or "/tmp", f"atmo-test-ports-{os.getuid()}")


def free_port():
    fd = os.open(counter_path(), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        text = os.pread(fd, 31, 0).decode().strip()
        following = int(text) if text else os.getpid()
        port = None
        for _ in range(COUNT):
            candidate = FIRST + following % COUNT
            following = (following + 1) % COUNT
            if port_is_free(candidate):
                port = candidate
                break
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{following}\n".encode(), 0)
    finally:
        os.close(fd)  # closing releases the lock
    if port is None:
        raise RuntimeError("cannot find a free port: all test ports are taken")
    return port
