"""One artifact cache shared by a cluster: STUDY/cache on S3 (moto's server on 127.0.0.1),
guarded by leases (gwin.store.lease), so that a classifier is trained once per study, not once
per node, and survives the node that trained it."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import time

import pytest
import torch

from gwin.cache import ArtifactCache, built_on, cache_key, classifier_fields
from gwin.config import TrialConfig
from gwin.store.reader import read_table
from tests.store import conftest as store_fixtures

HERE = built_on(torch.device("cpu"), threads=1)  # where a test's classifier is "built"

s3 = store_fixtures.s3  # the moto S3 server of the store tests, on 127.0.0.1

BASE = TrialConfig.from_preset("smoke")
FAST = dict(lease_ttl_s=0.6, settle_s=0.05, poll_s=0.05)  # lease times for the unit tests


def _key(cache: ArtifactCache, fields: dict, suffix: str = ".pt") -> str:
    """The object key (inside the bucket) of an artifact, its sidecar or its lease."""
    return cache.path(fields, suffix).split("/", 1)[1]


@pytest.fixture(params=["local", "s3"])
def root(request, tmp_path):
    """A cache root: a local folder or a fresh prefix on the S3 server."""
    if request.param == "local":
        return str(tmp_path / "cache")
    return request.getfixturevalue("s3").fresh_uri("cache")


@pytest.fixture(autouse=True)
def node_cache(tmp_path, monkeypatch):
    """This node's default cache (node copies of remote artifacts): a temporary folder."""
    monkeypatch.setenv("GWIN_CACHE_DIR", str(tmp_path / "node"))
    return tmp_path / "node"


def test_two_trials_that_need_one_artifact_at_once_build_it_once(root):
    fields = classifier_fields(BASE, HERE)
    calls, results = [], []
    start = threading.Barrier(2)

    def create():
        calls.append(1)
        time.sleep(0.5)  # the other trial asks meanwhile
        return {"value": torch.arange(5)}

    # Claims that land within the settle time are resolved (gwin.store.lease); FAST's 0.05 s is
    # shorter than one PUT to the local S3 server on a loaded machine, so this race gets 0.5 s.
    times = dict(FAST, settle_s=0.5, lease_ttl_s=3.0)

    def trial():
        cache = ArtifactCache(root, **times)  # each trial opens the cache itself
        start.wait()
        results.append(cache.get_or_create(fields, create))

    threads = [threading.Thread(target=trial) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(calls) == 1 and sorted(hit for _, hit in results) == [False, True]
    assert all(a["value"].tolist() == [0, 1, 2, 3, 4] for a, _ in results)
    cache = ArtifactCache(root)
    assert cache.folder.exists(f"classifier/{cache_key(fields)}.pt")
    assert not cache.folder.exists(f"classifier/{cache_key(fields)}.lease")  # released


def test_a_stale_lease_on_s3_is_taken_over_after_its_ttl(s3, capsys):
    cache = ArtifactCache(s3.fresh_uri("cache"), **FAST)
    fields = classifier_fields(BASE, HERE)
    lease = {"holder": "crashed", "host": "node-b", "pid": 1, "expires": time.time() + 1.0}
    s3.client().put_object(
        Bucket=s3.bucket, Key=_key(cache, fields, ".lease"), Body=json.dumps(lease).encode()
    )
    t0 = time.monotonic()
    artifact, hit = cache.get_or_create(fields, lambda: {"value": 3})
    assert (artifact, hit) == ({"value": 3}, False) and time.monotonic() - t0 >= 1.0
    err = capsys.readouterr().err.strip().splitlines()
    assert "waiting for pid 1 on node-b" in err[0] and "taking over" in err[1], err
    assert cache.folder.location_of() in err[0]  # names the shared cache
    keys = s3.keys(_key(cache, fields, "").rsplit("/", 1)[0])
    assert [k.rsplit(".", 1)[1] for k in keys] == ["json", "pt"]  # no lease, no temporary


def test_a_damaged_artifact_on_s3_is_reported_and_rebuilt(s3, capsys, node_cache):
    cache = ArtifactCache(s3.fresh_uri("cache"), **FAST)
    fields = classifier_fields(BASE, HERE)
    cache.get_or_create(fields, lambda: {"value": torch.arange(100)})
    key = _key(cache, fields)
    whole = s3.client().get_object(Bucket=s3.bucket, Key=key)["Body"].read()
    s3.client().put_object(Bucket=s3.bucket, Key=key, Body=whole[:40])  # truncated
    artifact, hit = cache.get_or_create(fields, lambda: {"value": torch.arange(3)})
    assert not hit and artifact["value"].tolist() == [0, 1, 2]
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "SHA-256 does not match" in err[0] and "rebuilding it" in err[0]
    assert f"{cache.location}/classifier/" in err[0]
    again, hit = cache.get_or_create(fields, lambda: {"value": 0})
    assert hit and again["value"].tolist() == [0, 1, 2]


def test_a_node_keeps_a_verified_copy_and_never_uses_a_stale_or_damaged_one(s3, node_cache):
    cache = ArtifactCache(s3.fresh_uri("cache"), **FAST)
    fields = classifier_fields(BASE, HERE)
    copy = node_cache / "classifier" / f"{cache_key(fields)}.pt"
    cache.get_or_create(fields, lambda: {"value": 1})
    assert cache.get_or_create(fields, lambda: {"value": -1}) == ({"value": 1}, True)
    assert copy.exists() and json.loads(copy.with_suffix(".json").read_text())["sha256"]
    copy.write_bytes(b"damaged")  # not the remote sidecar's SHA-256: read from S3 again
    assert cache.get_or_create(fields, lambda: {"value": -1}) == ({"value": 1}, True)
    assert torch.load(copy, weights_only=True) == {"value": 1}  # and the copy is whole again
    client = s3.client()
    # the copy is what is read while it has the SHA-256 that the remote sidecar records
    client.put_object(Bucket=s3.bucket, Key=_key(cache, fields), Body=b"never downloaded")
    assert cache.get_or_create(fields, lambda: {"value": -1}) == ({"value": 1}, True)
    # the remote artifact changes (rebuilt elsewhere): the node's copy is stale, not used
    buffer = io.BytesIO()
    torch.save({"value": 2}, buffer)
    sidecar = {**fields, "sha256": hashlib.sha256(buffer.getvalue()).hexdigest()}
    client.put_object(Bucket=s3.bucket, Key=_key(cache, fields), Body=buffer.getvalue())
    client.put_object(
        Bucket=s3.bucket, Key=_key(cache, fields, ".json"), Body=json.dumps(sidecar).encode()
    )
    assert cache.get_or_create(fields, lambda: {"value": -1}) == ({"value": 2}, True)


@pytest.mark.slow
def test_a_two_node_study_on_s3_trains_its_classifier_once(s3, study, tiny, tmp_path, monkeypatch):
    """Four trials that need one classifier, on two nodes: one trial trains it into STUDY/cache
    on S3 and the others load it (before, each node trained its own copy in its own cache)."""
    from ray.cluster_utils import Cluster

    storage = s3.fresh_uri("shared-cache")
    location = f"{storage}/ablation_lambda"
    prefix = location.split("/", 3)[3]  # the object keys inside the bucket
    # Each node its own default cache, as on separate machines (here they share one HOME).
    # Ray's processes inherit the environment of the node that starts them.
    monkeypatch.setenv("GWIN_CACHE_DIR", str(tmp_path / "head-node-cache"))
    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    try:
        monkeypatch.setenv("GWIN_CACHE_DIR", str(tmp_path / "worker-node-cache"))
        cluster.add_node(num_cpus=1)
        cluster.wait_for_nodes()
        argv = [*tiny, "--storage", storage, "--lambdas", "0", "0.1", "1", "10",
                "--seeds", "1", "--address", cluster.address, "--device", "cpu"]  # fmt: skip
        assert study("ablation_lambda.py", argv) == 0
    finally:
        cluster.shutdown()
    trials = read_table(location, "trials")
    assert len(trials) == 4 and set(trials["status"]) == {"ok"}
    assert len(set(trials["node_id"])) == 2, "all trials ran on one node: the test proved nothing"
    assert sorted(trials["classifier_cache_hit"].astype(bool)) == [False, True, True, True]
    cached = [k for k in s3.keys(f"{prefix}/cache/") if not k.rsplit("/", 1)[1].startswith(".")]
    classifiers = [k for k in cached if k.startswith(f"{prefix}/cache/classifier/")]
    assert len(classifiers) == 2 and {k.rsplit(".", 1)[1] for k in classifiers} == {"pt", "json"}
    assert not [k for k in s3.keys(f"{prefix}/cache/") if k.endswith((".lease", ".tmp"))]
