import json
import socket
import threading
import time
from pathlib import Path

import pytest
import torch

from gwin.cache import ArtifactCache, built_on, cache_key, classifier_fields, confident_fields
from gwin.config import TrialConfig

HERE = built_on(torch.device("cpu"), threads=1)  # where a test's classifier is "built"

BASE = TrialConfig.from_preset("smoke")


def test_classifier_key_ignores_gwin_settings():
    same = [
        BASE.replace(lambda_loss=1.0),
        BASE.replace(iterations=99),
        BASE.replace(dim=32),
        BASE.replace(tau_star=0.8),
        BASE.replace(seed=5, classifier_seed=0),
    ]
    for cfg in same:
        assert cache_key(classifier_fields(cfg, HERE)) == cache_key(classifier_fields(BASE, HERE))


def test_classifier_key_changes_with_what_determines_it():
    different = [
        BASE.replace(seed=1),
        BASE.replace(dataset="mnist"),
        BASE.replace(classifier="bcnn"),
        BASE.replace(clf_epochs=9),
        BASE.replace(clf_lr=0.01),
        BASE.replace(limit_train=50),
    ]
    keys = {cache_key(classifier_fields(c, HERE)) for c in different}
    assert cache_key(classifier_fields(BASE, HERE)) not in keys and len(keys) == len(different)


def test_confident_key_depends_on_tau_star_and_classifier():
    k = cache_key(confident_fields(BASE, HERE))
    assert k != cache_key(confident_fields(BASE.replace(tau_star=0.9), HERE))
    assert k != cache_key(confident_fields(BASE.replace(seed=2), HERE))
    assert k == cache_key(confident_fields(BASE.replace(lambda_loss=0.0), HERE))


def test_get_or_create_miss_then_hit(tmp_path):
    cache = ArtifactCache(tmp_path)
    calls = []
    fields = classifier_fields(BASE, HERE)

    def create():
        calls.append(1)
        return {"value": 42}

    first, hit1 = cache.get_or_create(fields, create)
    second, hit2 = cache.get_or_create(fields, create)
    assert (hit1, hit2) == (False, True) and first == second == {"value": 42}
    assert len(calls) == 1
    assert not list(tmp_path.rglob("*.tmp"))


def test_concurrent_requests_create_once(tmp_path):
    cache = ArtifactCache(tmp_path)
    calls, hits = [], []

    def create():
        calls.append(1)
        threading.Event().wait(0.2)  # hold the lock while the others queue up
        return {"value": 1}

    def worker():
        hits.append(cache.get_or_create(classifier_fields(BASE, HERE), create)[1])

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and sorted(hits) == [False, True, True, True]


def test_failed_create_leaves_nothing(tmp_path):
    cache = ArtifactCache(tmp_path)

    def boom():
        raise RuntimeError("training crashed")

    try:
        cache.get_or_create(classifier_fields(BASE, HERE), boom)
    except RuntimeError:
        pass
    assert not Path(cache.path(classifier_fields(BASE, HERE))).exists()
    assert not Path(cache.path(classifier_fields(BASE, HERE), ".lease")).exists()  # released


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "damage, problem",
    [
        (lambda p: p.write_bytes(p.read_bytes()[:40]), "SHA-256 does not match"),  # truncated
        (_flip_a_byte, "SHA-256 does not match"),  # altered, still a valid zip maybe
    ],
)
def test_a_damaged_artifact_is_reported_and_rebuilt_never_used(tmp_path, capsys, damage, problem):
    cache = ArtifactCache(tmp_path)
    fields = classifier_fields(BASE, HERE)
    cache.get_or_create(fields, lambda: {"value": torch.arange(100)})
    damage(Path(cache.path(fields)))
    artifact, hit = cache.get_or_create(fields, lambda: {"value": torch.arange(3)})
    assert not hit and artifact["value"].tolist() == [0, 1, 2]  # rebuilt, not the damaged one
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and problem in err[0] and "rebuilding it" in err[0]
    assert cache.get_or_create(fields, lambda: {"value": 0})[1]  # the rebuilt one is whole


def test_an_artifact_without_a_checksum_is_still_checked_by_loading_it(tmp_path, capsys):
    cache = ArtifactCache(tmp_path)
    fields = classifier_fields(BASE, HERE)
    cache.get_or_create(fields, lambda: {"value": 1})
    Path(cache.path(fields, ".json")).write_text("{}")  # written before checksums
    Path(cache.path(fields)).write_bytes(b"not a torch file")
    artifact, hit = cache.get_or_create(fields, lambda: {"value": 2})
    assert (artifact, hit) == ({"value": 2}, False)
    assert "it does not load" in capsys.readouterr().err


# The lease (gwin.store.lease) with short times: TTL 0.6 s (renewed every 0.2 s).
FAST = dict(lease_ttl_s=0.6, settle_s=0.05, poll_s=0.05)


def _foreign_lease(cache, fields, expires_in):
    """A lease of another trial (pid 1 elsewhere) that nothing renews: a crashed holder."""
    lease = Path(cache.path(fields, ".lease"))
    lease.parent.mkdir(parents=True, exist_ok=True)
    lease.write_text(json.dumps({"holder": "crashed", "host": "node-b", "pid": 1,
                                 "expires": time.time() + expires_in}))  # fmt: skip
    return lease


def test_an_expired_lease_of_a_crashed_holder_is_taken_over_at_once(tmp_path, capsys):
    cache = ArtifactCache(tmp_path, **FAST)
    fields = classifier_fields(BASE, HERE)
    lease = _foreign_lease(cache, fields, expires_in=-120)
    t0 = time.monotonic()
    artifact, hit = cache.get_or_create(fields, lambda: {"value": 7})
    assert (artifact, hit) == ({"value": 7}, False) and time.monotonic() - t0 < 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "taking over" in err[0] and "pid 1 on node-b" in err[0], err
    assert "expired 120 s ago" in err[0] and not lease.exists()


def test_a_holder_that_stops_renewing_is_waited_for_then_taken_over_after_its_ttl(tmp_path, capsys):
    cache = ArtifactCache(tmp_path, **FAST)
    fields = classifier_fields(BASE, HERE)
    _foreign_lease(cache, fields, expires_in=1.0)
    t0 = time.monotonic()
    artifact, hit = cache.get_or_create(fields, lambda: {"value": 8})
    waited = time.monotonic() - t0
    assert (artifact, hit) == ({"value": 8}, False) and 1.0 <= waited < 5, waited
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "waiting for pid 1 on node-b" in err[0], err
    assert "taking over" in err[1]


def test_the_heartbeat_keeps_a_long_build_from_being_taken_over(tmp_path, capsys):
    cache = ArtifactCache(tmp_path, **FAST)
    fields = classifier_fields(BASE, HERE)
    calls, results = [], []
    building = threading.Event()

    def slow_create():
        calls.append(1)
        building.set()
        time.sleep(5 * FAST["lease_ttl_s"])  # far past the TTL: only renewals keep the lease
        return {"value": 9}

    def worker():
        results.append(cache.get_or_create(fields, slow_create))

    first = threading.Thread(target=worker)
    first.start()
    assert building.wait(10)
    lease = json.loads(Path(cache.path(fields, ".lease")).read_text())
    assert lease["host"] == socket.gethostname() and lease["expires"] > time.time()
    second = threading.Thread(target=worker)
    second.start()
    first.join()
    second.join()
    assert len(calls) == 1 and sorted(hit for _, hit in results) == [False, True]
    assert all(artifact == {"value": 9} for artifact, _ in results)
    err = capsys.readouterr().err
    assert "waiting for" in err and "taking over" not in err, err
    assert not Path(cache.path(fields, ".lease")).exists()


def test_a_damaged_sidecar_is_reported_and_the_artifact_rebuilt(tmp_path, capsys):
    cache = ArtifactCache(tmp_path, **FAST)
    fields = classifier_fields(BASE, HERE)
    cache.get_or_create(fields, lambda: {"value": 1})
    Path(cache.path(fields, ".json")).write_text('{"sha256": "ab')  # cut off mid-write
    assert cache.get_or_create(fields, lambda: {"value": 2}) == ({"value": 2}, False)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "its sidecar .json is damaged" in err[0]
    assert cache.get_or_create(fields, lambda: {"value": 3}) == ({"value": 2}, True)


def test_a_classifier_built_with_other_threads_or_on_another_device_is_not_served(tmp_path):
    """Training on 1 or 2 CPU threads, or on a GPU, gives another classifier (summation order):
    a trial must not silently get the one whichever run filled the cache first built."""
    from gwin.cached_stages import load_classifier
    from gwin.data import load_dataset

    cfg = BASE.replace(clf_epochs=1, limit_train=64, cache_dir=str(tmp_path))
    train = load_dataset("digits", None, limit_train=64).train
    cache = ArtifactCache(tmp_path)
    before = torch.get_num_threads()
    try:
        hits = []
        for threads in (1, 2, 1):
            torch.set_num_threads(threads)
            hits.append(load_classifier(cfg, train, 10, cache)[1])
    finally:
        torch.set_num_threads(before)
    assert hits == [False, False, True]  # 2 threads: its own; 1 again: the first one's
    keys = {cache_key(classifier_fields(BASE, built_on(torch.device("cpu"), t))) for t in (1, 2)}
    keys.add(cache_key(classifier_fields(BASE, built_on(torch.device("cuda"), 1, "NVIDIA H200"))))
    assert len(keys) == 3
