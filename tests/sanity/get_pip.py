"""Offline stand-in for the pip bootstrap script ansible-test downloads.

ansible-test fetches get-pip.py from a host this machine cannot reach. This script does
the same job with the interpreter's own ensurepip, then lets pip (configured by the
machine's /etc/pip.conf) install the versions ansible-test asked for.
"""
import os
import subprocess
import sys


def main():
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"], env=os.environ)
    subprocess.check_call([sys.executable, "-m", "pip", "install"] + args, env=os.environ)


if __name__ == "__main__":
    main()
