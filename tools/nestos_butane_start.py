# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Start-up of tools/nestos-butane: run by ``python -S`` from the launcher.

- The command line itself lives in nestos_butane.py and is imported, not run as a script, so its
  bytecode is cached like the engine's (a script is compiled on every run).
- With PYTHONDONTWRITEBYTECODE set (CI images do), bytecode goes to the user's cache folder
  instead of being compiled on every run.
- ``-S`` skips the site module (its .pth files take a good part of a bare start). PyYAML is then
  looked for (as a folder, not imported) in the interpreter's own site-packages (the virtual
  environment's when Python runs from one); when it is not there (a distribution's dist-packages,
  the user site, a path from a .pth file), site runs as usual, so PyYAML is found wherever a plain
  ``python3`` finds it.
"""

import os
import sys

if sys.dont_write_bytecode and sys.pycache_prefix is None:
    sys.pycache_prefix = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                                      "nestos-lifecycle", "pycache")
    sys.dont_write_bytecode = False


def _site_packages():
    if not sys.flags.no_site:
        return
    env = os.path.dirname(os.path.dirname(sys.executable))
    root = env if os.path.exists(os.path.join(env, "pyvenv.cfg")) else sys.prefix
    packages = os.path.join(root, "lib", "python%d.%d" % sys.version_info[:2], "site-packages")
    sys.path.append(packages)
    if not os.path.isfile(os.path.join(packages, "yaml", "__init__.py")):
        import site

        site.main()


if len(sys.argv) < 2 or sys.argv[1] not in ("-h", "--help", "-V", "--version"):
    _site_packages()
import nestos_butane  # noqa: E402  (sys.path[0] is this folder)

sys.exit(nestos_butane.main(own_process=True))
