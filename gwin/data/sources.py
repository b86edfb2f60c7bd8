"""Where the MNIST-format datasets come from: file names, known checksums, mirrors, folders.

Kept apart from the loading logic because it is data: when a mirror moves, only this changes.

The archive SHA-256s are those recorded (by TFDS and many projects) for the very files whose
MD5s MNIST's mirrors and Zalando publish: MNIST train-images f68b3c2dcbeaaa9fbdd348bbdeb94873,
train-labels d53e105ee54ea40749a09fcbcd1e9432, t10k-images 9fb629c4189551a2d022fa330f9573f3,
t10k-labels ec29112dd5afa0611ce80d1b7f02629c; Fashion-MNIST 8d4fb7e6c68d591d4c3dfef9ec88bf0d,
25c81989df183df01b3e8a0aad5dffbe, bef4ecab320f06d8554ea6380940ec79,
bb300cfdad3c16e7a12a480ee83cd310. The content hashes are those of the decompressed files; they
also identify Debian's re-compressed copies (checked against package dataset-fashion-mnist
0.0~git20200523.55506a9-1, whose .gz files differ from upstream's only in the gzip header).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class IdxFile:
    """One IDX file of a dataset and its known checksums."""

    name: str  # without ".gz"; the .gz or the uncompressed file are both accepted
    gz_sha256: str  # the archive exactly as the mirrors serve it
    raw_sha256: str  # its decompressed content


# Order: train images, train labels, test images, test labels.
IDX_FILES: dict[str, tuple[IdxFile, ...]] = {
    "mnist": (
        IdxFile(
            "train-images-idx3-ubyte",
            "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        ),
        IdxFile(
            "train-labels-idx1-ubyte",
            "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        ),
        IdxFile(
            "t10k-images-idx3-ubyte",
            "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        ),
        IdxFile(
            "t10k-labels-idx1-ubyte",
            "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
        ),
    ),
    "fashion_mnist": (
        IdxFile(
            "train-images-idx3-ubyte",
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        ),
        IdxFile(
            "train-labels-idx1-ubyte",
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        ),
        IdxFile(
            "t10k-images-idx3-ubyte",
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        IdxFile(
            "t10k-labels-idx1-ubyte",
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
        ),
    ),
}
MIRRORS: dict[str, tuple[str, ...]] = {
    "mnist": (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ),
    "fashion_mnist": (
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
    ),
}
# Package dataset-fashion-mnist installs the four .gz files (re-compressed) here.
DEBIAN_DIRS: dict[str, tuple[Path, ...]] = {
    "fashion_mnist": (Path("/usr/share/datasets/fashion-mnist"),),
}
# Subfolders of a data directory that may hold the files (the last ones: torchvision's layout).
SUBFOLDERS: dict[str, tuple[str, ...]] = {
    "mnist": ("mnist", "MNIST/raw"),
    "fashion_mnist": ("fashion_mnist", "fashion-mnist", "FashionMNIST/raw"),
}
