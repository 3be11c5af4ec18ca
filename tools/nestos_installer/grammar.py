# -*- coding: utf-8 -*-
# Copyright: nestos.lifecycle contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The command tree: every subcommand, its flags and help, as upstream's cmdline/mod.rs has them.

A group is ``{"about", "children": [(name, node), ...]}``; a command (leaf) is ``{"about",
"handler": "module:function", "args": [(flags, argparse keywords + help/metavar/hidden)]}``.
Data only: nothing is imported here.
"""


def _opt(flags, metavar=None, help="", many=False, **extra):
    opts = dict(extra, help=help)
    if metavar:
        opts["metavar"] = metavar
        if many:
            opts.update(action="append", default=[])
    else:
        opts.setdefault("action", "store_true")
    return (tuple(flags), opts)


def _pos(dest, metavar, help, **extra):
    return ((dest,), dict(extra, metavar=metavar, help=help))


ISO = _pos("input", "ISO", "ISO image")
OUTPUT_ISO = _opt(["-o", "--output"], "path", "Write ISO to a new output file (\"-\" for stdout)")

COMMON_CUSTOMIZE = [
    _opt(["--dest-ignition"], "path", "Ignition config fragment for dest sys", many=True),
    _opt(["--dest-device"], "path", "Install destination device"),
    _opt(["--dest-console"], "spec", "Kernel and bootloader console for dest", many=True),
    _opt(["--dest-karg-append"], "arg", "Destination kernel argument to append", many=True),
    _opt(["--dest-karg-delete"], "arg", "Destination kernel argument to delete", many=True),
    _opt(["--network-keyfile"], "path", "NetworkManager keyfile for live & dest", many=True),
    _opt(["--network-nmstate"], "path", "Nmstate file for live & dest (refused: see docs/cli.md)", many=True),
    _opt(["--ignition-ca"], "path", "Ignition PEM CA bundle for live & dest", many=True),
    _opt(["--pre-install"], "path", "Script to run before installation", many=True),
    _opt(["--post-install"], "path", "Script to run after installation", many=True),
    _opt(["--installer-config"], "path", "Installer config file", many=True),
    _opt(["--live-ignition"], "path", "Ignition config fragment for live env", many=True),
]

CUSTOMIZE_LONG = """Options that name a file read it; Ignition fragments are validated with the collection's
Ignition engine. --dest-* options, --installer-config, --pre-install and --post-install make
the boot media run the installer automatically."""


def _leaf(about, handler, args, **extra):
    node = dict(about=about, handler=handler, args=args)
    node.update(extra)
    return node


def _group(about, children, **extra):
    node = dict(about=about, children=children)
    node.update(extra)
    return node


IGNITION_EMBED_ARGS = [
    _opt(["-f", "--force"], help="Overwrite an existing Ignition config"),
    _opt(["-i", "--ignition-file"], "path", "Ignition config to embed [default: stdin]"),
    OUTPUT_ISO, ISO,
]

ISO_GROUP = _group("Commands to manage a CoreOS live ISO image", [
    ("customize", _leaf("Customize a CoreOS live ISO image", "iso_cmds:customize", COMMON_CUSTOMIZE + [
        _opt(["--live-karg-append"], "arg", "Live kernel argument to append", many=True),
        _opt(["--live-karg-delete"], "arg", "Live kernel argument to delete", many=True),
        _opt(["--live-karg-replace"], "k=o=n", "Live kernel argument to replace", many=True),
        _opt(["-f", "--force"], help="Overwrite existing customizations"),
        OUTPUT_ISO, ISO], long=CUSTOMIZE_LONG)),
    ("ignition", _group("Embed an Ignition config in a CoreOS live ISO image", [
        ("embed", _leaf("Embed an Ignition config in an ISO image", "iso_cmds:ignition_embed",
                        IGNITION_EMBED_ARGS)),
        ("show", _leaf("Show the embedded Ignition config from an ISO image", "iso_cmds:ignition_show", [ISO],
                       sigpipe=True)),
        ("remove", _leaf("Remove an existing embedded Ignition config from an ISO image",
                         "iso_cmds:ignition_remove", [OUTPUT_ISO, ISO])),
    ])),
    ("network", _group("Embed network settings in a CoreOS live ISO image", [
        ("embed", _leaf("Embed network settings in an ISO image", "iso_cmds:network_embed", [
            _opt(["-k", "--keyfile"], "path", "NetworkManager keyfile to embed", many=True, required=True),
            _opt(["-f", "--force"], help="Overwrite existing network settings"),
            OUTPUT_ISO, ISO])),
        ("extract", _leaf("Extract embedded network settings from an ISO image", "iso_cmds:network_extract", [
            _opt(["-C", "--directory"], "path", "Extract to directory instead of stdout"), ISO], sigpipe=True)),
        ("remove", _leaf("Remove existing network settings from an ISO image", "iso_cmds:network_remove",
                         [OUTPUT_ISO, ISO])),
    ])),
    ("kargs", _group("Modify kernel args in a CoreOS live ISO image", [
        ("modify", _leaf("Modify kernel args in an ISO image", "iso_cmds:kargs_modify", [
            _opt(["-a", "--append"], "KARG", "Kernel argument to append", many=True),
            _opt(["-d", "--delete"], "KARG", "Kernel argument to delete", many=True),
            _opt(["-r", "--replace"], "KARG=OLDVAL=NEWVAL", "Kernel argument to replace", many=True),
            _opt(["-o", "--output"], "PATH", "Write ISO to a new output file (\"-\" for stdout)"), ISO])),
        ("reset", _leaf("Reset kernel args in an ISO image to defaults", "iso_cmds:kargs_reset", [
            _opt(["-o", "--output"], "PATH", "Write ISO to a new output file (\"-\" for stdout)"), ISO])),
        ("show", _leaf("Show kernel args from an ISO image", "iso_cmds:kargs_show", [
            _opt(["-d", "--default"], help="Show default kernel args"),
            _opt(["--header"], help="Show the kargs embed area parameters as JSON (as dev show iso --kargs)"),
            ISO], sigpipe=True)),
    ])),
    ("extract", _group("Commands to extract files from a CoreOS live ISO image", [
        ("pxe", _leaf("Extract PXE files from an ISO image", "iso_cmds:extract_pxe", [
            ISO, _opt(["-o", "--output-dir"], "PATH", "Output directory", default=".")])),
        ("minimal-iso", _leaf("Extract a minimal ISO from a CoreOS live ISO image", "iso_cmds:extract_minimal_iso", [
            ISO,
            _opt(["--output-rootfs"], "PATH", "Extract rootfs image as well"),
            _pos("output", "OUTPUT_ISO", "Minimal ISO output file", nargs="?", default="-"),
            _opt(["--rootfs-url"], "URL", "Inject rootfs URL karg into minimal ISO")])),
    ])),
    ("reset", _leaf("Restore a CoreOS live ISO image to default settings", "iso_cmds:reset", [OUTPUT_ISO, ISO])),
    # deprecated upstream, hidden from help, still accepted
    ("embed", _leaf("Embed an Ignition config in an ISO image", "iso_cmds:deprecated_embed", [
        _opt(["-c", "--config"], "path", "Ignition config to embed [default: stdin]"),
        _opt(["-f", "--force"], help="Overwrite an existing embedded Ignition config"), OUTPUT_ISO, ISO], hidden=True)),
    ("show", _leaf("Show the embedded Ignition config from an ISO image", "iso_cmds:deprecated_show", [ISO],
                   hidden=True, sigpipe=True)),
    ("remove", _leaf("Remove an existing embedded Ignition config from an ISO image", "iso_cmds:deprecated_remove",
                     [OUTPUT_ISO, ISO], hidden=True)),
])

PXE_GROUP = _group("Commands to manage a CoreOS live PXE image", [
    ("customize", _leaf("Create a custom live PXE boot config", "pxe_cmds:customize", COMMON_CUSTOMIZE + [
        _opt(["-o", "--output"], "path", "Output file (\"-\" for stdout)", required=True),
        _pos("input", "path", "CoreOS live initramfs image")], long=CUSTOMIZE_LONG)),
    ("ignition", _group("Commands to manage a live PXE Ignition config", [
        ("wrap", _leaf("Wrap an Ignition config in an initrd image", "pxe_cmds:ignition_wrap", [
            _opt(["-i", "--ignition-file"], "path", "Ignition config to wrap [default: stdin]"),
            _opt(["-o", "--output"], "path", "Write to a file instead of stdout")])),
        ("unwrap", _leaf("Show the wrapped Ignition config in an initrd image", "pxe_cmds:ignition_unwrap", [
            _pos("input", "initrd", "initrd image [default: stdin]", nargs="?")], sigpipe=True)),
    ])),
    ("network", _group("Commands to manage live PXE network settings", [
        ("wrap", _leaf("Wrap network settings in an initrd image", "pxe_cmds:network_wrap", [
            _opt(["-k", "--keyfile"], "path", "NetworkManager keyfile to embed", many=True, required=True),
            _opt(["-o", "--output"], "path", "Write to a file instead of stdout")])),
        ("unwrap", _leaf("Extract wrapped network settings from an initrd image", "pxe_cmds:network_unwrap", [
            _opt(["-C", "--directory"], "path", "Extract to directory instead of stdout"),
            _pos("input", "initrd", "initrd image [default: stdin]", nargs="?")], sigpipe=True)),
    ])),
])

DEV_GROUP = _group("Development commands (unstable)", [
    ("show", _group("Commands to show metadata", [
        ("iso", _leaf("Inspect the CoreOS live ISO image", "dev_cmds:show_iso", [
            _opt(["--ignition"], help="Show Ignition embed area parameters"),
            _opt(["--kargs"], help="Show kargs embed area parameters"), ISO],
            conflicts=[("ignition", "kargs")], sigpipe=True)),
        ("initrd", _leaf("Show the contents of an initrd image", "dev_cmds:show_initrd", [
            _pos("input", "initrd", "initrd image (\"-\" for stdin)"),
            _pos("filter", "glob", "Files or globs to list", nargs="*")], sigpipe=True)),
    ])),
    ("extract", _group("Commands to extract data", [
        ("initrd", _leaf("Extract the contents of an initrd image", "dev_cmds:extract_initrd", [
            _opt(["-C", "--directory"], "path", "Output directory", default="."),
            _opt(["-v", "--verbose"], help="List extracted contents"),
            _pos("input", "initrd", "initrd image (\"-\" for stdin)"),
            _pos("filter", "glob", "Files or globs to list", nargs="*")])),
    ])),
], hidden=True)

LIST_STREAM = _leaf("List available images in a Fedora CoreOS stream", "stream_cmds:list_stream", [
    _opt(["-s", "--stream"], "name", "Fedora CoreOS stream", default="stable"),
    _opt(["--stream-base-url"], "URL", "Base URL for Fedora CoreOS stream metadata")], sigpipe=True)

DOWNLOAD = _leaf("Download a CoreOS image", "stream_cmds:download_cmd", [
    _opt(["-s", "--stream"], "name", "Fedora CoreOS stream", default="stable"),
    _opt(["--architecture"], "name", "Target CPU architecture", default="x86_64"),
    _opt(["-p", "--platform"], "name", "Fedora CoreOS platform name", default="metal"),
    _opt(["-f", "--format"], "name", "Image format", default="raw.xz"),
    _opt(["-u", "--image-url"], "URL", "Manually specify the image URL"),
    _opt(["-C", "--directory"], "path", "Destination directory", default="."),
    _opt(["-d", "--decompress"], help="Decompress image and don't save signature"),
    _opt(["--insecure"], help="Skip signature verification"),
    _opt(["--gpg-keyring"], "path", "Public key file signatures must verify against (nestos.lifecycle)"),
    _opt(["--stream-base-url"], "URL", "Base URL for Fedora CoreOS stream metadata"),
    _opt(["--fetch-retries"], "N", "Fetch retries, or \"infinite\"", default="0")],
    long="""The download resumes an interrupted earlier one (the hidden .<name>.partial file beside
the destination) with an HTTP Range request; a file already there and verified is kept.
Signatures are checked with gpg against --gpg-keyring (upstream embeds its keys; NestOS
gives its key as a file); --insecure skips that check. Progress goes to stderr, the saved
path to stdout.""")

ROOT = _group("Installer for NestOS and Fedora CoreOS live media (nestos.lifecycle, pure Python)", [
    ("download", DOWNLOAD),
    ("list-stream", LIST_STREAM),
    ("iso", ISO_GROUP),
    ("pxe", PXE_GROUP),
    ("dev", DEV_GROUP),
])
