import gzip

import numpy as np
import pytest

from gwin.data.idx import read_idx, write_idx
from gwin.errors import GwinError


def test_write_idx_raw_bytes_are_the_documented_layout(tmp_path):
    path = write_idx(tmp_path / "labels-idx1-ubyte", np.array([1, 2, 3], dtype=np.uint8))
    # magic 0x00000801, one dimension of size 3, then the data
    assert path.read_bytes() == bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3])


@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_round_trip_labels_and_images(tmp_path, suffix):
    rng = np.random.default_rng(0)
    labels = rng.integers(0, 10, size=17, dtype=np.uint8)
    images = rng.integers(0, 256, size=(5, 28, 28), dtype=np.uint8)
    lpath = write_idx(tmp_path / f"l{suffix}", labels)
    ipath = write_idx(tmp_path / f"i{suffix}", images)
    assert (lpath.read_bytes()[:2] == b"\x1f\x8b") == (suffix == ".gz")
    for path, array in ((lpath, labels), (ipath, images)):
        got = read_idx(path)
        assert got.dtype == np.uint8
        assert got.shape == array.shape
        np.testing.assert_array_equal(got, array)


def test_gzip_is_detected_by_content_not_name(tmp_path):
    images = np.arange(2 * 28 * 28, dtype=np.int64).reshape(2, 28, 28).astype(np.uint8)
    path = write_idx(tmp_path / "x.gz", images)
    renamed = path.rename(tmp_path / "x-idx3-ubyte")
    np.testing.assert_array_equal(read_idx(renamed), images)


def _header(magic: int, *dims: int) -> bytes:
    return magic.to_bytes(4, "big") + b"".join(d.to_bytes(4, "big") for d in dims)


@pytest.mark.parametrize("magic", [0x00000804, 0x00000C03, 0x00000802, 0x01000803, 0x0])
def test_bad_magic_names_the_file(tmp_path, magic):
    path = tmp_path / "weird-idx3-ubyte"
    path.write_bytes(_header(magic, 1, 2, 2) + bytes(4))
    with pytest.raises(GwinError, match="weird-idx3-ubyte.*magic"):
        read_idx(path)


def test_truncated_data_names_the_file(tmp_path):
    path = tmp_path / "short-idx3-ubyte"
    path.write_bytes(_header(0x803, 2, 4, 4) + bytes(2 * 16 - 1))
    with pytest.raises(
        GwinError, match=r"short-idx3-ubyte is truncated.*\[2, 4, 4\] need 48 bytes, file has 47"
    ):
        read_idx(path)


def test_over_long_file_is_an_error(tmp_path):
    path = tmp_path / "long-idx1-ubyte.gz"
    path.write_bytes(gzip.compress(_header(0x801, 3) + bytes(4)))
    with pytest.raises(GwinError, match="long-idx1-ubyte.gz is longer than its header"):
        read_idx(path)


def test_header_dims_that_do_not_match_the_data(tmp_path):
    # Images written as 3 x 28 x 28 but a header claiming 4 x 28 x 28.
    path = tmp_path / "dims-idx3-ubyte"
    path.write_bytes(_header(0x803, 4, 28, 28) + bytes(3 * 28 * 28))
    with pytest.raises(GwinError, match=r"dims-idx3-ubyte .*\[4, 28, 28\]"):
        read_idx(path)


def test_truncated_header_and_tiny_file(tmp_path):
    tiny = tmp_path / "tiny"
    tiny.write_bytes(b"\x00\x00")
    with pytest.raises(GwinError, match="tiny is not an IDX file"):
        read_idx(tiny)
    header = tmp_path / "hdr"
    header.write_bytes(_header(0x803, 4)[:9])
    with pytest.raises(GwinError, match="hdr is truncated inside its IDX header"):
        read_idx(header)


def test_damaged_gzip_names_the_file(tmp_path):
    path = write_idx(tmp_path / "cut.gz", np.zeros((3, 28, 28), dtype=np.uint8))
    path.write_bytes(path.read_bytes()[:-10])
    with pytest.raises(GwinError, match="cut.gz is a damaged gzip file"):
        read_idx(path)


def test_missing_file(tmp_path):
    with pytest.raises(GwinError, match="cannot read IDX file .*nope"):
        read_idx(tmp_path / "nope")


@pytest.mark.parametrize("array", [np.zeros((2, 3), dtype=np.uint8), np.zeros(3, dtype=np.float32)])
def test_write_idx_rejects_unsupported_arrays(tmp_path, array):
    with pytest.raises(GwinError, match="uint8 array with 1 or 3 dimensions"):
        write_idx(tmp_path / "x", array)


def test_gzip_output_is_reproducible(tmp_path):
    array = np.arange(10, dtype=np.uint8)
    a = write_idx(tmp_path / "a.gz", array).read_bytes()
    b = write_idx(tmp_path / "b.gz", array).read_bytes()
    assert a == b
