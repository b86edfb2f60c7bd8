"""A trial's Tune checkpoint: written with its checksum; a damaged one is never used."""

from pathlib import Path

import torch

from gwin.cache import sha256_of
from gwin.tune.trainable import STATE_FILE, _load_state


def checkpoint_with(folder: Path, state: dict, checksum: bool = True):
    from ray import tune

    folder.mkdir()
    torch.save(state, folder / STATE_FILE)
    if checksum:
        (folder / (STATE_FILE + ".sha256")).write_text(sha256_of(folder / STATE_FILE))
    return tune.Checkpoint.from_directory(str(folder))


def test_a_whole_checkpoint_is_loaded(tmp_path):
    state = {"iteration": 4, "w": torch.arange(5)}
    loaded = _load_state(checkpoint_with(tmp_path / "c", state))
    assert loaded["iteration"] == 4 and loaded["w"].tolist() == [0, 1, 2, 3, 4]


def test_a_damaged_checkpoint_means_training_from_the_start(tmp_path, capsys):
    checkpoint = checkpoint_with(tmp_path / "c", {"iteration": 4, "w": torch.zeros(1000)})
    path = tmp_path / "c" / STATE_FILE
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert _load_state(checkpoint) is None
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SHA-256 does not match; training from the start" in err[0]


def test_a_truncated_checkpoint_without_checksum_is_caught_by_loading(tmp_path, capsys):
    checkpoint = checkpoint_with(tmp_path / "c", {"iteration": 4}, checksum=False)
    path = tmp_path / "c" / STATE_FILE
    path.write_bytes(path.read_bytes()[:30])
    assert _load_state(checkpoint) is None
    assert "it does not load" in capsys.readouterr().err


def test_a_checkpoint_without_its_state_file_means_training_from_the_start(tmp_path, capsys):
    from ray import tune

    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "checkpoint_dropped.txt").write_text("emptied")
    assert _load_state(tune.Checkpoint.from_directory(str(tmp_path / "c"))) is None
    assert "holds no" in capsys.readouterr().err
