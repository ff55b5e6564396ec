"""Builds jipc's native part, jipc._jipc, from jipc/_jipc.c and the C twins in the repository's native/ directory
(the build reads ../native and copies the twins into its temporary directory, since setuptools takes no source
outside the project; it needs only setuptools, wheel and a C compiler). Metadata is in pyproject.toml."""
import os
import shutil

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

HERE = os.path.dirname(os.path.abspath(__file__))
NATIVE = os.path.join(os.path.dirname(HERE), "native")
TWINS = ["jipc_channel.c", "jipc_live.c", "jipc_topic.c", "jipc_sem.c", "jipc_rpc.c"]


class BuildWithTwins(build_ext):
    """Copies ../native/*.{c,h} into the build's temporary directory and compiles the twins with jipc/_jipc.c."""

    def build_extensions(self) -> None:
        if not os.path.isfile(os.path.join(NATIVE, "jipc_channel.h")):
            raise SystemExit(f"jipc: the C twins are not in {NATIVE}: install from a clone of the repository"
                             " (pip install ./python)")
        copy = os.path.join(self.build_temp, "native")
        os.makedirs(copy, exist_ok=True)
        for name in os.listdir(NATIVE):
            if name.endswith((".c", ".h")):
                shutil.copy2(os.path.join(NATIVE, name), os.path.join(copy, name))
        for extension in self.extensions:
            extension.sources = list(extension.sources) + [os.path.join(copy, name) for name in TWINS]
            extension.include_dirs = list(extension.include_dirs) + [copy]
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "jipc._jipc",
            sources=["jipc/_jipc.c"],
            extra_compile_args=["-std=gnu11", "-fvisibility=hidden"],
            extra_link_args=["-pthread"],
        )
    ],
    cmdclass={"build_ext": BuildWithTwins},
)
