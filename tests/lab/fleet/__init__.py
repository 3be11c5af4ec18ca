"""Fleet lab: sshd-per-host NestOS stand-ins on 127.0.0.1 (see lab.py and docs/fleet.md)."""
