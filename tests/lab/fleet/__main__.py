"""Command line for the fleet lab (used by make demo-fleet and by hand).

  python -m tests.lab.fleet up [--name N] [--count 5] [--base-port 22100]   create + start
  python -m tests.lab.fleet down [--name N]                                  stop
  python -m tests.lab.fleet template                                         build the root template
"""
import argparse
import sys

from tests.lab.fleet.lab import Fleet, LabError, build_template, ensure_keys


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tests.lab.fleet")
    ap.add_argument("action", choices=["up", "down", "template"])
    ap.add_argument("--name", default="default")
    ap.add_argument("--count", type=int, default=5)
    ap.add_argument("--base-port", type=int, default=None)
    ap.add_argument("--reboot-delay", type=float, default=1.0)
    a = ap.parse_args(argv)
    try:
        if a.action == "template":
            tpl = build_template()[0]
            ensure_keys()
            print(tpl)
            return 0
        fleet = Fleet(a.name, a.count, a.base_port, a.reboot_delay)
        if a.action == "down":
            fleet.stop()
            return 0
        fleet.create().start()
        print(fleet.inventory)
        return 0
    except LabError as e:
        print("fleet lab: %s" % e, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
