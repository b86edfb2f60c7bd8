"""Fuzzing where settings enter: config dicts given to TrialConfig, and YAML text and raw bytes
given to the config file reader (`gwin trial --config`). No input may raise anything but
GwinError (a traceback), hang (the deadline), or be accepted with a value out of its range (a
trial that runs with nonsense). In-process and seeded, a few seconds in all."""

from __future__ import annotations

import math
from dataclasses import fields
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gwin.config import TrialConfig, config_field_names, config_from, config_from_args
from gwin.config_checks import INT_MAX, SEED_MAX, SIZE_MAX
from gwin.config_file import add_config_file_flags, load_yaml, parse_with_config
from gwin.config_flags import add_config_flags
from gwin.errors import GwinError, OneLineParser

FUZZ = settings(
    max_examples=120,
    deadline=2000,  # ms per example; the loader's limits keep every input far below it
    derandomize=True,  # the same examples on every run: a failure here is reproducible
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
NAMES = config_field_names()
NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, 1, -1, 0.5, 1.0, 2**31, 2**32, 1e-300, 1e300]),
)
SCALARS = st.one_of(
    NUMBERS,
    st.booleans(),
    st.none(),
    st.text(max_size=12),
    st.sampled_from(["digits", "mnist", "lenet5", "residual", "cpu", "mps", "cuda:0", "smoke"]),
)
VALUES = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4),
                                                                           inner, max_size=3),
    max_leaves=8,
)  # fmt: skip
SETTINGS = st.dictionaries(st.sampled_from(NAMES), VALUES, max_size=6)


def _check_accepted(c: TrialConfig) -> None:
    """A config that was accepted holds only values in range."""
    for f in fields(c):
        value = getattr(c, f.name)
        for v in value if isinstance(value, tuple) else (value,):
            if isinstance(v, float):
                assert math.isfinite(v), (f.name, v)
            if isinstance(v, int) and not isinstance(v, bool):
                top = SEED_MAX if "seed" in f.name else SIZE_MAX.get(f.name, INT_MAX)
                assert 0 <= v <= top, (f.name, v)
    assert all(0 < lr <= 1 for lr in (c.lr_g, c.lr_d, c.clf_lr))
    assert c.lambda_gp >= 0 and c.lambda_loss >= 0 and 0 < c.dropout < 1
    assert 0 <= c.tau_star <= 1 and c.taus and all(0 <= t <= 1 for t in c.taus)
    assert 0 <= c.beta1 < 1 and 0 <= c.beta2 < 1


def _config_or_refusal(make: Any) -> None:
    try:
        config = make()
    except GwinError as err:
        assert "\n" not in str(err) and len(str(err)) < 1000, str(err)[:300]
        return
    _check_accepted(config)


@FUZZ
@given(SETTINGS, st.sampled_from(["smoke", "cpu"]))
def test_any_settings_dict_is_a_valid_config_or_one_gwin_error(values, preset):
    _config_or_refusal(lambda: config_from({"preset": preset, "dataset": "digits", **values}))


def _trial_config_from_file(path: Path) -> TrialConfig:
    parser = OneLineParser()
    add_config_flags(parser)
    add_config_file_flags(parser)
    return config_from_args(parse_with_config(parser, ["--config", str(path)], "trial"))


@FUZZ
@given(SETTINGS)
def test_any_yaml_settings_file_is_a_valid_config_or_one_gwin_error(tmp_path_factory, values):
    path = tmp_path_factory.mktemp("fuzz") / "c.yaml"
    path.write_text(yaml.safe_dump(values, allow_unicode=True))
    _config_or_refusal(lambda: _trial_config_from_file(path))


# YAML's own syntax, shuffled: anchors, aliases, tags, flow and block collections, documents
TOKENS = ["a: ", "lambda_loss: ", "taus: ", "seed: ", "&x ", "*x", "!!python/name:os.system ",
          "!!binary ", "!!float ", "!!timestamp ", "[", "]", "{", "}", ", ", "- ", "\n", "  ",
          "? ", ": ", "---\n", "...\n", "%YAML 1.1\n", "'", '"', "#", ".inf", ".nan", "1e9",
          "2020-99-99", "0x", "~", "<<: ", "|\n", ">\n", "\t", "\ufeff", "\x00"]  # fmt: skip


@FUZZ
@given(st.lists(st.sampled_from(TOKENS) | st.text(max_size=5), max_size=40).map("".join))
def test_any_text_as_a_config_file_is_settings_or_one_gwin_error(tmp_path_factory, text):
    path = tmp_path_factory.mktemp("fuzz") / "c.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _config_or_refusal(lambda: _trial_config_from_file(path))


@FUZZ
@given(st.binary(max_size=200))
def test_any_bytes_as_a_config_file_load_or_are_one_gwin_error(tmp_path_factory, blob):
    path = tmp_path_factory.mktemp("fuzz") / "c.yaml"
    path.write_bytes(blob)
    try:
        load_yaml(str(path))
    except GwinError as err:
        assert "\n" not in str(err)


def test_nested_aliases_past_the_limits_are_refused_quickly(tmp_path):
    """The generated bombs above are small; these are the shapes that hang an unlimited
    reader: wide (many aliases) and deep (each alias doubling the last)."""
    deep = "a0: &a0 [x, x]\n" + "".join(
        f"a{i}: &a{i} [*a{i - 1}, *a{i - 1}]\n" for i in range(1, 30)
    )
    wide = "a: &a [x]\nb: [" + ", ".join(["*a"] * 1000) + "]\n"
    for text in (deep, wide):
        path = tmp_path / "bomb.yaml"
        path.write_text(text)
        try:
            load_yaml(str(path))
        except GwinError as err:
            assert "aliases" in str(err)
        else:
            raise AssertionError("an alias bomb was loaded")
