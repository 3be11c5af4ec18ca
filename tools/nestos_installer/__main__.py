# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""nestos-installer (also installed as coreos-installer): upstream's iso/pxe/dev command
line over the collection's pure-Python live-media engine. See docs/cli.md."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.realpath(__file__))))

from nestos_installer.cli import main  # noqa: E402

if __name__ == "__main__":
    code = main(argv0=os.environ.get("NESTOS_INSTALLER_NAME") or sys.argv[0])
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        # the reader went away: nothing more to say, and no "Exception ignored" at exit
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(code)
