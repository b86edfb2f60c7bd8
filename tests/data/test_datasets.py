import hashlib
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch

import gwin.data.datasets as datasets
import gwin.data.idx_files as idx_files
from gwin.data import DATASETS, Split, cache_dir, find_idx_dir, load_dataset, split_indices
from gwin.data.download import sha256_file
from gwin.data.idx import read_idx, read_idx_bytes, write_idx
from gwin.data.sources import IdxFile
from gwin.errors import GwinError

NAMES = [spec.name for spec in idx_files.IDX_FILES["mnist"]]
FASHION = Path("/work/shared/datasets/fashion-mnist")


def make_fake(folder: Path, *, n_train=120, n_test=30, seed=0, gz=True):
    """Four MNIST-format files of random pixels; returns the arrays and their IdxFile specs."""
    rng = np.random.default_rng(seed)
    arrays = [
        rng.integers(0, 256, size=(n_train, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=n_train, dtype=np.uint8),
        rng.integers(0, 256, size=(n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, size=n_test, dtype=np.uint8),
    ]
    arrays[0][0], arrays[0][1] = 0, 255  # so the [0, 1] range is reached exactly
    folder.mkdir(parents=True, exist_ok=True)
    specs = []
    for name, array in zip(NAMES, arrays, strict=True):
        path = write_idx(folder / (name + (".gz" if gz else "")), array)
        raw_sha = hashlib.sha256(read_idx_bytes(path)).hexdigest()
        specs.append(IdxFile(name, sha256_file(path), raw_sha))
    return arrays, tuple(specs)


@pytest.fixture
def fake_mnist(http_server, monkeypatch):
    """Fake MNIST files served on loopback, with VAL_SIZE and the checksums patched to fit."""
    arrays, specs = make_fake(http_server.root / "mnist")
    monkeypatch.setitem(idx_files.IDX_FILES, "mnist", specs)
    monkeypatch.setattr(datasets, "VAL_SIZE", 20)
    monkeypatch.setenv("GWIN_MIRRORS", f"{http_server.url}/nothing-here/,{http_server.url}/mnist/")
    return arrays, http_server


def _as_float(images: np.ndarray) -> np.ndarray:
    return images.astype(np.float32) / np.float32(255)


def test_download_split_and_cache_end_to_end(fake_mnist):
    (train_x, train_y, test_x, test_y), server = fake_mnist
    d = load_dataset("mnist")
    assert d.name == "mnist" and d.num_classes == 10
    assert (len(d.train), len(d.val), len(d.test)) == (100, 20, 30)
    for split in (d.train, d.val, d.test):
        assert split.x.dtype == torch.float32 and split.y.dtype == torch.int64
        assert split.x.shape[1:] == (1, 28, 28)
    both = torch.cat([d.train.x, d.val.x])
    assert both.min().item() == 0.0 and both.max().item() == 1.0

    perm = np.random.default_rng(20190606).permutation(120)
    train_idx, val_idx = split_indices(120)
    np.testing.assert_array_equal(train_idx, perm[:100])
    np.testing.assert_array_equal(val_idx, perm[100:])
    np.testing.assert_array_equal(d.train.x[:, 0].numpy(), _as_float(train_x[train_idx]))
    np.testing.assert_array_equal(d.train.y.numpy(), train_y[train_idx])
    np.testing.assert_array_equal(d.val.x[:, 0].numpy(), _as_float(train_x[val_idx]))
    np.testing.assert_array_equal(d.val.y.numpy(), train_y[val_idx])
    np.testing.assert_array_equal(d.test.x[:, 0].numpy(), _as_float(test_x))
    np.testing.assert_array_equal(d.test.y.numpy(), test_y)

    cache = cache_dir("mnist")
    assert d.source == str(cache)
    assert sorted(os.listdir(cache)) == sorted(f"{n}.gz" for n in NAMES)  # no temp files
    assert sorted(h for h in server.hits if h.startswith("/mnist/")) == sorted(
        f"/mnist/{n}.gz" for n in NAMES
    )
    hits = len(server.hits)

    # The split ignores global seeds, and the second load comes from the cache.
    np.random.seed(123)
    torch.manual_seed(999)
    again = load_dataset("mnist")
    assert len(server.hits) == hits
    assert torch.equal(again.train.x, d.train.x) and torch.equal(again.val.y, d.val.y)


def test_limit_train_takes_the_first_of_the_fixed_order(fake_mnist):
    full = load_dataset("mnist")
    small = load_dataset("mnist", limit_train=7)
    assert (len(small.train), len(small.val), len(small.test)) == (7, 20, 30)
    assert torch.equal(small.train.x, full.train.x[:7])
    assert len(load_dataset("mnist", limit_train=1000).train) == 100
    for bad in (0, -3, True):
        with pytest.raises(GwinError, match="limit_train"):
            load_dataset("mnist", limit_train=bad)


def test_corrupted_cache_file_is_reported_not_silently_replaced(fake_mnist):
    _, server = fake_mnist
    load_dataset("mnist")
    hits = len(server.hits)
    cached = cache_dir("mnist") / "train-labels-idx1-ubyte.gz"
    cached.write_bytes(cached.read_bytes()[:-3])
    with pytest.raises(GwinError, match="train-labels-idx1-ubyte.gz is corrupt.*delete it"):
        load_dataset("mnist")
    assert len(server.hits) == hits


def test_partial_cache_downloads_only_the_missing_files(fake_mnist):
    _, server = fake_mnist
    cache = cache_dir("mnist")
    cache.mkdir(parents=True)
    for name in NAMES[:2]:
        shutil.copy(server.root / "mnist" / f"{name}.gz", cache)
    load_dataset("mnist")
    fetched = sorted(h for h in server.hits if h.startswith("/mnist/"))
    assert fetched == sorted(f"/mnist/{n}.gz" for n in NAMES[2:])


def test_no_files_and_no_download(fake_mnist):
    _, server = fake_mnist
    with pytest.raises(GwinError, match="mnist: IDX files not found.*download is off"):
        load_dataset("mnist", download=False)
    assert server.hits == []


def test_explicit_data_dir_without_the_files_is_an_error(fake_mnist, tmp_path):
    _, server = fake_mnist
    folder = tmp_path / "mine"
    make_fake(folder)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(GwinError) as info:
        load_dataset("mnist", data_dir=folder)
    message = str(info.value)
    assert "t10k-labels-idx1-ubyte" in message and "--data-dir" in message
    assert "GWIN_DATA_DIR" in message and "\n" not in message
    with pytest.raises(GwinError, match="does not exist"):
        load_dataset("mnist", data_dir=tmp_path / "typo")
    assert server.hits == []


def test_explicit_data_dir_with_raw_files_checks_content(tmp_path, monkeypatch):
    monkeypatch.setattr(datasets, "VAL_SIZE", 20)
    arrays, specs = make_fake(tmp_path / "data" / "mnist", gz=False)
    monkeypatch.setitem(idx_files.IDX_FILES, "mnist", specs)
    d = load_dataset("mnist", tmp_path / "data")
    assert d.source == str(tmp_path / "data" / "mnist")
    np.testing.assert_array_equal(d.test.y.numpy(), arrays[3])
    # A valid IDX file with other content is not the dataset we claim to load.
    write_idx(tmp_path / "data" / "mnist" / "t10k-labels-idx1-ubyte", (arrays[3] + 1) % 10)
    with pytest.raises(GwinError, match="t10k-labels-idx1-ubyte is not the published file"):
        load_dataset("mnist", tmp_path / "data")
    assert len(load_dataset("mnist", tmp_path / "data", verify=False).test) == 30


def test_lookup_order(tmp_path, monkeypatch):
    explicit, env, debian = tmp_path / "explicit", tmp_path / "env", tmp_path / "debian"
    cache = cache_dir("mnist")
    for folder in (explicit, env, cache, debian):
        make_fake(folder, n_train=3, n_test=2)
    monkeypatch.setattr(idx_files, "DEBIAN_DIRS", {"mnist": (debian,)})
    monkeypatch.setenv("GWIN_DATA_DIR", str(env))
    assert find_idx_dir("mnist", explicit) == explicit
    assert find_idx_dir("mnist") == env
    monkeypatch.setenv("GWIN_DATA_DIR", str(tmp_path / "empty"))  # a search root: falls through
    assert find_idx_dir("mnist") == cache
    monkeypatch.delenv("GWIN_DATA_DIR")
    assert find_idx_dir("mnist") == cache
    shutil.rmtree(cache)
    assert find_idx_dir("mnist") == debian
    shutil.rmtree(debian)
    assert find_idx_dir("mnist") is None
    assert find_idx_dir("digits") is None


def test_subfolder_layouts(tmp_path):
    for sub in ("fashion-mnist", "fashion_mnist", "FashionMNIST/raw"):
        root = tmp_path / sub.replace("/", "_") / "root"
        make_fake(root / sub, n_train=3, n_test=2)
        assert find_idx_dir("fashion_mnist", root) == root / sub
        assert find_idx_dir("fashion-mnist", root) == root / sub
        with pytest.raises(GwinError, match="no train-images-idx3-ubyte"):
            find_idx_dir("mnist", root)


def test_unknown_name_lists_the_choices():
    assert DATASETS == ("digits", "mnist", "fashion_mnist")
    with pytest.raises(GwinError, match="unknown dataset 'cifar10'; choose one of: digits, mnist"):
        load_dataset("cifar10")


def test_split_container():
    split = Split(torch.zeros(3, 1, 28, 28), torch.arange(3))
    moved = split.to("cpu")
    assert isinstance(moved, Split) and len(moved) == 3 and torch.equal(moved.y, split.y)
    with pytest.raises(GwinError, match="Split needs"):
        Split(torch.zeros(3, 1, 28, 28), torch.arange(4))


@pytest.mark.skipif(not FASHION.is_dir(), reason="real Fashion-MNIST files not present")
def test_real_fashion_mnist(monkeypatch):
    assert find_idx_dir("fashion_mnist", FASHION) == FASHION
    monkeypatch.setattr(idx_files, "DEBIAN_DIRS", {"fashion_mnist": (FASHION,)})
    assert find_idx_dir("fashion_mnist") == FASHION  # same layout as the Debian package

    d = load_dataset("fashion_mnist", data_dir=FASHION.parent)  # verifies checksums
    assert d.source == str(FASHION)
    assert (len(d.train), len(d.val), len(d.test)) == (50_000, 10_000, 10_000)
    assert d.train.x.shape == (50_000, 1, 28, 28) and d.train.x.dtype == torch.float32
    assert 0.0 <= d.test.x.min().item() and d.test.x.max().item() <= 1.0
    # Fashion-MNIST is balanced: 6,000 training and 1,000 test images per class.
    train_counts = torch.bincount(d.train.y, minlength=10) + torch.bincount(d.val.y, minlength=10)
    assert train_counts.tolist() == [6000] * 10
    assert torch.bincount(d.test.y, minlength=10).tolist() == [1000] * 10

    train_idx, val_idx = split_indices(60_000)
    assert len(np.intersect1d(train_idx, val_idx)) == 0
    assert len(np.union1d(train_idx, val_idx)) == 60_000
    raw = read_idx(FASHION / "train-images-idx3-ubyte.gz")
    np.testing.assert_array_equal(d.val.x[:50, 0].numpy(), _as_float(raw[val_idx[:50]]))
    np.testing.assert_array_equal(d.train.x[-50:, 0].numpy(), _as_float(raw[train_idx[-50:]]))
    labels = idx_files.IDX_FILES["fashion_mnist"][1]
    content = read_idx_bytes(FASHION / f"{labels.name}.gz")
    assert hashlib.sha256(content).hexdigest() == labels.raw_sha256


def test_digits():
    from sklearn.datasets import load_digits

    d = load_dataset("digits")
    assert d.name == "digits" and d.source == "sklearn.datasets.load_digits"
    assert (len(d.train), len(d.val), len(d.test)) == (1197, 300, 300)
    for split in (d.train, d.val, d.test):
        assert split.x.shape[1:] == (1, 28, 28) and split.x.dtype == torch.float32
        assert split.y.dtype == torch.int64
        assert split.x.min().item() >= 0.0 and split.x.max().item() <= 1.0
        assert set(split.y.tolist()) == set(range(10))
    assert d.train.x.max().item() > 0.9

    bunch = load_digits()
    all_y = torch.cat([d.train.y, d.val.y, d.test.y])
    assert torch.bincount(all_y).tolist() == np.bincount(bunch.target).tolist()
    # Bilinear, align_corners=False, 8 -> 28: output column 0 samples input column -0.357
    # (clamped to 0), column 27 samples 7.357 (clamped to 7), column 2 samples 0.214.
    small = bunch.images[np.random.default_rng(20190606).permutation(1797)[:300]] / 16.0
    x = d.test.x[:, 0].double().numpy()
    np.testing.assert_allclose(x[:, 0, 0], small[:, 0, 0], atol=1e-6)
    np.testing.assert_allclose(x[:, 27, 27], small[:, 7, 7], atol=1e-6)
    w = 2.5 * 8 / 28 - 0.5
    np.testing.assert_allclose(x[:, 0, 2], (1 - w) * small[:, 0, 0] + w * small[:, 0, 1], atol=1e-6)

    again = load_dataset("digits", limit_train=50)
    assert len(again.train) == 50 and torch.equal(again.train.x, d.train.x[:50])
    assert torch.equal(again.val.x, d.val.x) and torch.equal(again.test.y, d.test.y)
    assert len(load_dataset("digits", limit_train=5000).train) == 1197
