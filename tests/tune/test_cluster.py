"""A study on a (simulated) two-node cluster with one GPU per node, all on loopback."""

import pytest

from gwin.store.reader import read_table

pytestmark = pytest.mark.slow


def test_four_half_gpu_trials_run_at_once_across_two_nodes(study, tiny, tmp_path):
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 2, "num_gpus": 1})
    try:
        cluster.add_node(num_cpus=2, num_gpus=1)
        cluster.wait_for_nodes()
        argv = [
            *tiny,
            "--storage",
            str(tmp_path),
            "--lambdas",
            "0",
            "0.1",
            "1",
            "10",
            "--seeds",
            "1",
            "--address",
            cluster.address,
            "--gpus-per-trial",
            "0.5",
            "--device",
            "cpu",
        ]  # fake GPUs: run on CPU
        assert study("ablation_lambda.py", argv) == 0
    finally:
        cluster.shutdown()
    trials = read_table(tmp_path / "ablation_lambda", "trials")
    assert len(trials) == 4 and set(trials["device"]) == {"cpu"}
    assert sorted(trials.groupby("node_id").size()) == [2, 2]  # two per one-GPU node
    assert trials["started_at"].max() < trials["finished_at"].min()  # all four at once
    # all four needed the same classifier at the same moment: one trained it, three waited
    assert int((~trials["classifier_cache_hit"].astype(bool)).sum()) == 1
