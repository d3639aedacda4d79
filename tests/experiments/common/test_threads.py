import logging
import os

import pytest

from experiments.common.threads import (
    available_cores,
    cgroup_cpu_quota,
    configured_num_threads,
    default_num_threads,
    warn_if_oversubscribed,
)


def _cpu_max(tmp_path, content):
    path = tmp_path / "cpu.max"
    path.write_text(content)
    return path


def test_cgroup_quota_is_quota_over_period_and_none_without_limit(tmp_path):
    assert cgroup_cpu_quota(_cpu_max(tmp_path, "150000 100000\n")) == 1.5
    assert cgroup_cpu_quota(_cpu_max(tmp_path, "max 100000\n")) is None
    assert cgroup_cpu_quota(tmp_path / "missing") is None


def test_available_cores_follow_the_affinity_set(tmp_path):
    original = os.sched_getaffinity(0)
    no_limit = _cpu_max(tmp_path, "max 100000\n")
    assert available_cores(no_limit) == len(original)
    try:
        os.sched_setaffinity(0, {min(original)})
        assert available_cores(no_limit) == 1
        assert default_num_threads(1, no_limit) == 1
    finally:
        os.sched_setaffinity(0, original)


def test_cgroup_quota_caps_the_cores_rounded_down_to_at_least_one(tmp_path):
    cores = len(os.sched_getaffinity(0))
    assert available_cores(_cpu_max(tmp_path, "50000 100000")) == 1
    assert available_cores(_cpu_max(tmp_path, f"{100000 * (cores + 3)} 100000")) == cores
    if cores >= 2:
        assert available_cores(_cpu_max(tmp_path, "250000 100000")) == 2


@pytest.mark.parametrize("ranks", [1, 2, 3, 64])
def test_default_threads_share_the_cores_among_local_ranks(tmp_path, ranks):
    no_limit = _cpu_max(tmp_path, "max 100000")
    assert default_num_threads(ranks, no_limit) == max(1, len(os.sched_getaffinity(0)) // ranks)
    four_cores = _cpu_max(tmp_path, "400000 100000")
    if len(os.sched_getaffinity(0)) >= 4:
        assert default_num_threads(ranks, four_cores) == max(1, 4 // ranks)


def test_warns_when_threads_exceed_the_cores(tmp_path, caplog):
    one_core = _cpu_max(tmp_path, "100000 100000")
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        assert warn_if_oversubscribed(2, one_core)
    (record,) = caplog.records
    assert "plus 2 torch thread(s) exceeds the 1 available core(s)" in record.getMessage()
    assert "num_threads=1" in record.getMessage()


def test_an_idle_machine_with_one_thread_per_core_gets_no_warning(tmp_path, caplog, monkeypatch):
    two_cores = _cpu_max(tmp_path, "200000 100000")
    if len(os.sched_getaffinity(0)) < 2:
        pytest.skip("needs two cores")
    monkeypatch.setattr(os, "getloadavg", lambda: (0.1, 0.1, 0.1))
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        assert not warn_if_oversubscribed(2, two_cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (1.0, 1.0, 1.0))
    with caplog.at_level(logging.WARNING, logger="lorentznets"):
        assert warn_if_oversubscribed(2, two_cores)


def test_one_thread_gets_no_oversubscription_warning(tmp_path, monkeypatch):
    """With one thread there is nothing to wait for, and the advice was num_threads=1 itself."""
    monkeypatch.setattr(os, "getloadavg", lambda: (8.0, 8.0, 8.0))
    assert not warn_if_oversubscribed(1, _cpu_max(tmp_path, "100000 100000"))


def test_configured_threads_resolve_auto_for_the_ranks_of_this_node(tmp_path, monkeypatch):
    """``num_threads`` of a config: an integer as it is, "auto" the cores shared among LOCAL_WORLD_SIZE ranks."""
    no_limit = _cpu_max(tmp_path, "max 100000")
    assert configured_num_threads(3, no_limit) == 3
    monkeypatch.delenv("LOCAL_WORLD_SIZE", raising=False)
    assert configured_num_threads("auto", no_limit) == default_num_threads(1, no_limit)
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "64")
    assert configured_num_threads("auto", no_limit) == default_num_threads(64, no_limit)
