from types import SimpleNamespace

from gwin.faults import NO_FAULTS, Faults, PoisonGenerator


def test_no_faults_by_default():
    assert NO_FAULTS.callbacks(SimpleNamespace(lambda_loss=1.0)) == []


def test_poison_only_the_trials_its_condition_names():
    faults = Faults(poison_generator="lambda_loss=1.0@3")
    (poison,) = faults.callbacks(SimpleNamespace(lambda_loss=1.0))
    assert isinstance(poison, PoisonGenerator) and poison.at == 3
    assert faults.callbacks(SimpleNamespace(lambda_loss=10.0)) == []
    (every,) = Faults(poison_generator="7").callbacks(SimpleNamespace())
    assert every.at == 7
