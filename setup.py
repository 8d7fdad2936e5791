"""Builds the C extensions (Hamming index, PDQ hashing, the framing gate, the ORB index's vote,
the JPEG marker search); everything else is in pyproject.toml."""

import platform

from setuptools import Extension, setup

flags = ["-O3", "-std=c11", "-Wall", "-Wextra"]
# bit for bit as the reference (PDQ) or numpy (the framing gate): IEEE float/double as written,
# no fused multiply-adds; no -mpopcnt (neither counts bits)
exact = ["-O3", "-std=c11", "-Wall", "-Wextra", "-ffp-contract=off"]
if platform.machine() in ("x86_64", "AMD64"):
    flags.append("-mpopcnt")  # every x86-64 server since 2008 has it; it makes popcount one instruction

setup(
    ext_modules=[
        Extension(
            "bouclier.index._hamming",
            sources=["src/bouclier/index/_hamming.c", "src/bouclier/index/_tables.c"],
            depends=["src/bouclier/index/_hamming.h"],
            extra_link_args=["-pthread"],
            extra_compile_args=[*flags, "-pthread"],
        ),
        Extension(
            "bouclier.signals._orb_vote",
            sources=["src/bouclier/signals/_orb_vote.c"],
            extra_compile_args=flags,
        ),
        Extension(
            "bouclier.hashing._pdq",
            sources=["src/bouclier/hashing/_pdq.c"],
            extra_compile_args=exact,
        ),
        Extension(
            "bouclier.media._markers",
            sources=["src/bouclier/media/_markers.c"],
            extra_compile_args=flags,
        ),
        Extension(
            "bouclier.hashing._framing",
            sources=["src/bouclier/hashing/_framing.c"],
            extra_compile_args=exact,
        ),
    ]
)
