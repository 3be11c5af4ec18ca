"""TEST DOUBLE for Zincati's metrics endpoint (see README.md in this folder).

python server.py SOCKET_PATH SAMPLE_FILE -> binds SOCKET_PATH (0600), prints "ready", then on
each connection writes the sample and closes, without reading what the client sent.
Stops on SIGTERM."""
import os
import signal
import socket
import sys


def main(path, sample):
    data = open(sample, "rb").read()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    # a lab host's root is deep: bind by a relative name (sun_path holds 107 bytes)
    os.chdir(os.path.dirname(path))
    srv.bind(os.path.basename(path))
    path = os.path.abspath(os.path.basename(path))
    os.chmod(path, 0o600)
    srv.listen(16)
    signal.signal(signal.SIGTERM, lambda *a: sys.exit(0))
    print("ready", flush=True)
    try:
        while True:
            conn, _addr = srv.accept()
            try:
                conn.sendall(data)
            except OSError:
                pass
            finally:
                conn.close()
    finally:
        srv.close()
        if os.path.exists(path):
            os.unlink(path)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
