"""Images are input: `gwin apply --images` (gwin.apply.read_images) and `GWIN.predict` take
exactly uint8 (/ 255), uint16 (/ 65535) or finite floats in [0, 1], 28x28 grayscale; anything
else is one GwinError line that says how to convert it, and never a label.

In process, on a model of untrained nets (tests/test_bad_input_models.make_trial): no
training. The fuzz test throws arrays of every dtype, shape and value at both readers.
"""

from __future__ import annotations

import io
import os

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from gwin.apply import read_images
from gwin.errors import GwinError
from tests.test_bad_input_models import alarm, make_trial


@pytest.fixture(scope="module")
def model(tmp_path_factory):
    import gwin

    model = gwin.load(make_trial(tmp_path_factory.mktemp("trial")))
    model.predict(np.zeros((1, 28, 28), np.float32), seed=0)  # warm: the fuzz times each call
    return model


@pytest.fixture(autouse=True)
def no_hang():
    with alarm(120):  # a read that blocks (a FIFO) fails instead of hanging the run
        yield


def _save_png(path, pixels: np.ndarray) -> None:
    Image.fromarray(pixels).save(path)


def test_nan_or_inf_pixels_are_refused_by_both_readers(tmp_path, model):
    x = np.full((2, 28, 28), 0.5, np.float32)
    x[1, 3, 3] = np.nan
    x[0, 0, 0] = -np.inf
    np.save(tmp_path / "x.npy", x)
    with pytest.raises(GwinError, match="2 pixels are NaN or infinite"):
        read_images(str(tmp_path / "x.npy"))
    with pytest.raises(GwinError, match="NaN or infinite"):
        model.predict(x)


def test_a_16_bit_png_is_scaled_by_its_bit_depth(tmp_path):
    """Pillow reads 16-bit grayscale as mode I;16: scaled by 65535, it matches the 8-bit
    image it was made from (it used to be clipped to 255, i.e. white)."""
    eight = (np.arange(784).reshape(28, 28) % 256).astype(np.uint8)
    _save_png(tmp_path / "8.png", eight)
    _save_png(tmp_path / "16.png", eight.astype(np.uint16) * 257)  # 255 * 257 = 65535
    a, _ = read_images(str(tmp_path / "8.png"))
    b, _ = read_images(str(tmp_path / "16.png"))
    assert a.dtype == b.dtype == np.float32
    np.testing.assert_allclose(a, b, atol=1e-6)
    assert b.max() == 1.0 and b.min() == 0.0


def test_uint16_arrays_are_scaled_and_other_integers_refused(tmp_path):
    np.save(tmp_path / "u16.npy", np.full((1, 28, 28), 65535, np.uint16))
    assert read_images(str(tmp_path / "u16.npy"))[0].max() == 1.0
    np.save(tmp_path / "i64.npy", np.ones((1, 28, 28), np.int64))
    with pytest.raises(GwinError, match=r"pixels of type int64.*astype"):
        read_images(str(tmp_path / "i64.npy"))


def test_an_empty_or_cut_file_is_named_as_such(tmp_path):
    (tmp_path / "e.npy").write_bytes(b"")
    with pytest.raises(GwinError, match=r"e.npy is empty \(0 bytes\)"):
        read_images(str(tmp_path / "e.npy"))
    buffer = io.BytesIO()
    np.save(buffer, np.zeros((4, 28, 28), np.float32))
    for cut in (10, 100, 1000):
        (tmp_path / "c.npy").write_bytes(buffer.getvalue()[:cut])
        with pytest.raises(GwinError, match="c.npy is truncated"):
            read_images(str(tmp_path / "c.npy"))
    _save_png(tmp_path / "p.png", np.zeros((28, 28), np.uint8))
    data = (tmp_path / "p.png").read_bytes()
    for cut in (20, len(data) - 20):
        (tmp_path / "p.png").write_bytes(data[:cut])
        with pytest.raises(GwinError, match="p.png is truncated or damaged"):
            read_images(str(tmp_path / "p.png"))


def test_a_fifo_is_refused_not_read(tmp_path):
    os.mkfifo(tmp_path / "f.npy")
    with pytest.raises(GwinError, match="f.npy is not a regular file"):
        read_images(str(tmp_path / "f.npy"))
    (tmp_path / "pngs").mkdir()
    os.mkfifo(tmp_path / "pngs" / "a.png")
    with pytest.raises(GwinError, match="a.png is not a regular file"):
        read_images(str(tmp_path / "pngs"))


def test_shapes_say_how_to_convert(tmp_path, model):
    for shape, hint in (((2, 28, 28, 3), "grayscale"), ((2, 32, 32), "resize them to 28x28")):
        with pytest.raises(GwinError, match=hint):
            model.predict(np.zeros(shape, np.float32))
    one = np.zeros((28, 28), np.float32)  # one image, unambiguous
    assert len(model.predict(one, seed=0).label) == 1


DTYPES = [np.uint8, np.uint16, np.int8, np.int32, np.int64, np.float16, np.float32,
          np.float64, np.bool_, np.complex64, ">u2", ">f4"]  # fmt: skip
SHAPES = [(1, 28, 28), (2, 784), (28, 28), (0, 28, 28), (1, 1, 28, 28), (3, 28, 28, 1),
          (2, 28, 28, 3), (1, 27, 28), (784,), (), (2, 2)]  # fmt: skip


def _arrays():
    def elements(dtype):
        if np.dtype(dtype).kind == "f":  # the edges of [0, 1], just beyond them, NaN, inf
            edge = 2.0**-10  # exact in float16 too
            values = [0.0, 1.0, 0.5, -0.0, -edge, 1 + edge, 255.0, np.nan, np.inf, -np.inf]
            return st.sampled_from(values)
        return None  # the dtype's whole range

    return st.tuples(st.sampled_from(DTYPES), st.sampled_from(SHAPES)).flatmap(
        lambda ds: hnp.arrays(ds[0], ds[1], elements=elements(ds[0]))
    )


def _accepted(x: np.ndarray) -> bool:
    """What a reader may accept: uint8, uint16 or finite floats in [0, 1], at least one
    image, shaped [28, 28], [N, 784], [N, 28, 28] or [N, 1, 28, 28]."""
    kind, size = x.dtype.kind, x.dtype.itemsize
    if x.size == 0 or not (kind == "u" and size in (1, 2) or kind == "f"):
        return False
    if kind == "f" and not (np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1):
        return False
    shape = x.shape
    return (
        shape == (28, 28)
        or (len(shape) == 2 and shape[1] == 784)
        or (len(shape) == 3 and shape[1:] == (28, 28))
        or (len(shape) == 4 and shape[1:] == (1, 28, 28))
    )


@settings(max_examples=60, deadline=30_000, suppress_health_check=[HealthCheck.too_slow,
          HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])  # fmt: skip
@given(x=_arrays())
def test_fuzz_no_array_gets_a_label_with_garbage_in(x, model, tmp_path, one_thread):
    """Both readers accept exactly `_accepted` arrays, as finite float32 in [0, 1], and
    refuse every other in one GwinError line; predict labels the accepted ones."""
    np.save(tmp_path / "x.npy", x)
    for read in (lambda: read_images(str(tmp_path / "x.npy"))[0], lambda: model._inputs(x)):
        try:
            images = read()
        except GwinError as err:
            assert "\n" not in str(err) and not _accepted(x), str(err)
            continue
        images = np.asarray(images.cpu() if isinstance(images, torch.Tensor) else images)
        assert _accepted(x), (x.dtype, x.shape)
        assert images.dtype == np.float32 and np.isfinite(images).all()
        assert images.size and images.min() >= 0 and images.max() <= 1
    if _accepted(x):
        assert len(model.predict(x, seed=0).final_label) == max(1, x.size // 784)
